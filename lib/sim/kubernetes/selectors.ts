/** Kubernetes label and field selectors as the apiserver parses them from query strings. */

import type { LabelSelector, Labels } from "./types";

export type Requirement =
  | { key: string; op: "=" | "!="; value: string }
  | { key: string; op: "in" | "notin"; values: string[] }
  | { key: string; op: "exists" | "!exists" };

export class SelectorError extends Error {}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_./]*[a-z0-9A-Z])?)$/;

/** Splits on commas that are not inside a parenthesised value set. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of text) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      parts.push(current);
      current = "";
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

export function parseLabelSelector(text: string | null | undefined): Requirement[] {
  if (!text || !text.trim()) return [];
  return splitTopLevel(text).map((part): Requirement => {
    let m = /^(\S+?)\s+(in|notin)\s*\(([^)]*)\)$/.exec(part);
    if (m) {
      const values = m[3].split(",").map((v) => v.trim()).filter(Boolean);
      return { key: checkKey(m[1], text), op: m[2] as "in" | "notin", values };
    }
    m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(part);
    if (m) return { key: checkKey(m[1], text), op: m[2] === "!=" ? "!=" : "=", value: m[3] };
    m = /^!\s*(\S+)$/.exec(part);
    if (m) return { key: checkKey(m[1], text), op: "!exists" };
    if (/^\S+$/.test(part)) return { key: checkKey(part, text), op: "exists" };
    throw new SelectorError(`unable to parse requirement: "${part}"`);
  });
}

export function matchesRequirements(labels: Labels | undefined, requirements: Requirement[]): boolean {
  const l = labels ?? {};
  return requirements.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    switch (r.op) {
      case "=":
        return has && l[r.key] === r.value;
      case "!=":
        return !has || l[r.key] !== r.value;
      case "in":
        return has && r.values.includes(l[r.key]);
      case "notin":
        return !has || !r.values.includes(l[r.key]);
      case "exists":
        return has;
      case "!exists":
        return !has;
    }
  });
}

/** A workload's structured selector as requirements. */
export function requirementsOf(selector: LabelSelector): Requirement[] {
  const reqs: Requirement[] = Object.entries(selector.matchLabels ?? {}).map(([key, value]) => ({ key, op: "=", value }));
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === "In") reqs.push({ key: e.key, op: "in", values: e.values ?? [] });
    else if (e.operator === "NotIn") reqs.push({ key: e.key, op: "notin", values: e.values ?? [] });
    else if (e.operator === "Exists") reqs.push({ key: e.key, op: "exists" });
    else reqs.push({ key: e.key, op: "!exists" });
  }
  return reqs;
}

/** The selector string the scale subresource reports in status.selector. */
export function selectorString(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector.matchExpressions ?? []) {
    if (e.operator === "In") parts.push(`${e.key} in (${(e.values ?? []).join(",")})`);
    else if (e.operator === "NotIn") parts.push(`${e.key} notin (${(e.values ?? []).join(",")})`);
    else if (e.operator === "Exists") parts.push(e.key);
    else parts.push(`!${e.key}`);
  }
  return parts.join(",");
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Fields the real apiserver lets you select on, per kind. */
const SELECTABLE_FIELDS: Record<string, string[]> = {
  Pod: ["metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
  Node: ["metadata.name", "spec.unschedulable"],
};

export function parseFieldSelector(text: string | null | undefined, kind: string): FieldRequirement[] {
  if (!text || !text.trim()) return [];
  const allowed = SELECTABLE_FIELDS[kind] ?? ["metadata.name", "metadata.namespace"];
  return text.split(",").map((part) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(part);
    if (!m) throw new SelectorError(`invalid field selector: "${part}"`);
    if (!allowed.includes(m[1])) {
      throw new SelectorError(`field label not supported: ${m[1]}`);
    }
    return { field: m[1], op: m[2] === "!=" ? "!=" : "=", value: m[3] };
  });
}

function fieldValue(object: unknown, path: string): string {
  let current: unknown = object;
  for (const key of path.split(".")) {
    if (current === null || typeof current !== "object") return "";
    current = (current as Record<string, unknown>)[key];
  }
  if (current === undefined || current === null) return "";
  return String(current);
}

export function matchesFields(object: unknown, requirements: FieldRequirement[]): boolean {
  return requirements.every((r) => {
    const actual = fieldValue(object, r.field);
    return r.op === "=" ? actual === r.value : actual !== r.value;
  });
}
