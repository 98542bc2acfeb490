/**
 * Request bodies in application/vnd.kubernetes.protobuf, which typed client-go
 * clients send (`kubectl create rolebinding` / `clusterrolebinding` do): the
 * envelope `k8s\0` + runtime.Unknown { typeMeta, raw }, with raw the object's
 * message from k8s.io/api's generated.proto. Only the kinds below are known;
 * their messages are described by field number, and unknown fields (and the
 * server-set metadata: uid, resourceVersion, timestamps) are skipped. Empty
 * strings and lists are left out, as the JSON encoding's omitempty does.
 * Answers are always JSON, which such clients accept too. The wire format is
 * read with @bufbuild/protobuf's BinaryReader.
 */

import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { fail } from "./status";

type Scalar = "string" | "bytes";
/** [JSON name, field type, repeated?]; a "map" is map<string, string>. */
type Field = [name: string, type: Scalar | "map" | Message, repeated?: "repeated"];
interface Message {
  [field: number]: Field;
}

const R = "repeated" as const;
const OBJECT_META: Message = {
  1: ["name", "string"],
  2: ["generateName", "string"],
  3: ["namespace", "string"],
  11: ["labels", "map"],
  12: ["annotations", "map"],
};
const POLICY_RULE: Message = {
  1: ["verbs", "string", R],
  2: ["apiGroups", "string", R],
  3: ["resources", "string", R],
  4: ["resourceNames", "string", R],
  5: ["nonResourceURLs", "string", R],
};
const LABEL_SELECTOR: Message = {
  1: ["matchLabels", "map"],
  2: ["matchExpressions", { 1: ["key", "string"], 2: ["operator", "string"], 3: ["values", "string", R] }, R],
};
const SUBJECT: Message = { 1: ["kind", "string"], 2: ["apiGroup", "string"], 3: ["name", "string"], 4: ["namespace", "string"] };
const ROLE_REF: Message = { 1: ["apiGroup", "string"], 2: ["kind", "string"], 3: ["name", "string"] };

const MESSAGES: Record<string, Message> = {
  Role: { 1: ["metadata", OBJECT_META], 2: ["rules", POLICY_RULE, R] },
  ClusterRole: {
    1: ["metadata", OBJECT_META],
    2: ["rules", POLICY_RULE, R],
    3: ["aggregationRule", { 1: ["clusterRoleSelectors", LABEL_SELECTOR, R] }],
  },
  RoleBinding: { 1: ["metadata", OBJECT_META], 2: ["subjects", SUBJECT, R], 3: ["roleRef", ROLE_REF] },
  ClusterRoleBinding: { 1: ["metadata", OBJECT_META], 2: ["subjects", SUBJECT, R], 3: ["roleRef", ROLE_REF] },
};
const UNKNOWN: Message = { 1: ["typeMeta", { 1: ["apiVersion", "string"], 2: ["kind", "string"] }], 2: ["raw", "bytes"] };

export const PROTOBUF = "application/vnd.kubernetes.protobuf";
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

const malformed = () => fail(400, "BadRequest", "error decoding the request body: the protobuf message is malformed");

function decode(buf: Buffer, message: Message): Record<string, unknown> {
  try {
    return decodeFields(buf, message);
  } catch (err) {
    if ((err as { status?: unknown }).status) throw err;
    throw malformed(); // the wire reader's own errors: truncated, bad varint, bad wire type
  }
}

function decodeFields(buf: Buffer, message: Message): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const r = new BinaryReader(buf);
  while (r.pos < r.len) {
    const [fieldNo, wireType] = r.tag();
    const field = message[fieldNo];
    if (!field || wireType !== WireType.LengthDelimited) {
      r.skip(wireType, fieldNo);
      continue;
    }
    const [name, type, repeated] = field;
    const bytes = Buffer.from(r.bytes());
    if (type === "map") {
      const entry = decodeFields(bytes, { 1: ["key", "string"], 2: ["value", "string"] });
      const map = (out[name] ??= {}) as Record<string, string>;
      map[String(entry.key ?? "")] = String(entry.value ?? "");
      continue;
    }
    const value = type === "bytes" ? bytes : type === "string" ? bytes.toString("utf8") : decodeFields(bytes, type);
    if (repeated) ((out[name] ??= []) as unknown[]).push(value);
    else out[name] = value;
  }
  // omitempty: "" and {} are what proto2's explicit empties become in JSON.
  for (const [k, v] of Object.entries(out))
    if (v === "" || (typeof v === "object" && !Buffer.isBuffer(v) && !Array.isArray(v) && Object.keys(v as object).length === 0))
      delete out[k];
  return out;
}

export function isProtobuf(contentType: string | undefined): boolean {
  return (contentType ?? "").split(";")[0].trim().toLowerCase() === PROTOBUF;
}

/** A protobuf request body as the JSON object the same request would have sent. */
export function decodeProtobufBody(body: Buffer): Record<string, unknown> {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC)) throw malformed();
  const unknown = decode(body.subarray(4), UNKNOWN);
  const typeMeta = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  const message = typeMeta.kind ? MESSAGES[typeMeta.kind] : undefined;
  if (!message) {
    throw fail(
      415,
      "UnsupportedMediaType",
      `the simulator reads protobuf only for ${Object.keys(MESSAGES).join(", ")}; send application/json`,
    );
  }
  const raw = Buffer.isBuffer(unknown.raw) ? unknown.raw : Buffer.alloc(0);
  return { apiVersion: typeMeta.apiVersion, kind: typeMeta.kind, ...decode(raw, message) };
}
