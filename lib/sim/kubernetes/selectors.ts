/**
 * Kubernetes label and field selectors as the apiserver parses them from query
 * strings. Label selectors use the model's parser (lib/model/selector.ts), the
 * same apimachinery syntax; field selectors are the simulator's own.
 */

import { formatSelector, matches, parseSelector, SelectorError, type Requirement } from "@/lib/model/selector";
import type { LabelSelector, Labels } from "./types";

export { SelectorError, type Requirement };

/** The labelSelector query parameter; absent or empty selects everything. */
export function parseLabelSelector(text: string | null | undefined): Requirement[] {
  return parseSelector(text ?? "");
}

/** Whether an object's labels (absent counts as none) satisfy every requirement. */
export function matchesRequirements(labels: Labels | undefined, requirements: Requirement[]): boolean {
  return matches(requirements, labels ?? {});
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
  return formatSelector(requirementsOf(selector));
}

export interface FieldRequirement {
  field: string;
  op: "=" | "!=";
  value: string;
}

/** Fields the real apiserver lets you select on, per kind (qualified by its group outside the core one). */
const SELECTABLE_FIELDS: Record<string, string[]> = {
  Pod: [
    "metadata.name",
    "metadata.namespace",
    "spec.nodeName",
    "spec.restartPolicy",
    "spec.schedulerName",
    "spec.serviceAccountName",
    "status.phase",
    "status.podIP",
    "status.nominatedNodeName",
  ],
  Node: ["metadata.name", "spec.unschedulable"],
  PersistentVolumeClaim: ["metadata.name", "metadata.namespace", "spec.volumeName"],
  Event: [
    "metadata.name",
    "metadata.namespace",
    "involvedObject.apiVersion",
    "involvedObject.kind",
    "involvedObject.name",
    "involvedObject.namespace",
    "involvedObject.uid",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  "Event.events.k8s.io": [
    "metadata.name",
    "metadata.namespace",
    "regarding.apiVersion",
    "regarding.kind",
    "regarding.name",
    "regarding.namespace",
    "regarding.uid",
    "regarding.resourceVersion",
    "regarding.fieldPath",
    "reason",
    "reportingController",
    "type",
  ],
};

export function parseFieldSelector(text: string | null | undefined, kind: string, group = ""): FieldRequirement[] {
  if (!text || !text.trim()) return [];
  const allowed = SELECTABLE_FIELDS[group ? `${kind}.${group}` : kind] ?? ["metadata.name", "metadata.namespace"];
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
