import { describe, expect, it } from "vitest";
import { decodeProtobufBody, isProtobuf } from "./protobuf";
import { ApiError } from "./status";

/**
 * The body kubectl v1.32 sends for
 * `kubectl create clusterrolebinding anonymous-impersonates --clusterrole=impersonator --user=system:anonymous --group=g1`,
 * captured on the wire.
 */
const KUBECTL_CLUSTERROLEBINDING =
  "azhzAAoyChxyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvL3YxEhJDbHVzdGVyUm9sZUJpbmRpbmcSwQEKJgoWYW5vbnltb3VzLWltcGVyc29uYXRlcxIAGgAiACoAMgA4AEIAEjUKBFVzZXISGXJiYWMuYXV0aG9yaXphdGlvbi5rOHMuaW8aEHN5c3RlbTphbm9ueW1vdXMiABIoCgVHcm91cBIZcmJhYy5hdXRob3JpemF0aW9uLms4cy5pbxoCZzEiABo2ChlyYmFjLmF1dGhvcml6YXRpb24uazhzLmlvEgtDbHVzdGVyUm9sZRoMaW1wZXJzb25hdG9yGgAiAA==";

describe("protobuf request bodies", () => {
  it("recognises the content type", () => {
    expect(isProtobuf("application/vnd.kubernetes.protobuf")).toBe(true);
    expect(isProtobuf("application/json")).toBe(false);
    expect(isProtobuf(undefined)).toBe(false);
  });

  it("decodes kubectl's ClusterRoleBinding into what the JSON body would have been", () => {
    expect(decodeProtobufBody(Buffer.from(KUBECTL_CLUSTERROLEBINDING, "base64"))).toEqual({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "anonymous-impersonates" },
      subjects: [
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "system:anonymous" },
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "g1" },
      ],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "impersonator" },
    });
  });

  it("refuses kinds it has no message for (415) and bytes that are no envelope (400)", () => {
    const pod = Buffer.concat([Buffer.from("k8s\0", "latin1"), Buffer.from([0x0a, 0x07, 0x0a, 0x02, 0x76, 0x31, 0x12, 0x01, 0x50])]);
    expect(() => decodeProtobufBody(pod)).toThrow(ApiError);
    try {
      decodeProtobufBody(pod);
    } catch (e) {
      expect((e as ApiError).body.code).toBe(415);
    }
    expect(() => decodeProtobufBody(Buffer.from("{}"))).toThrow(/malformed/);
    // A length running past the end.
    expect(() => decodeProtobufBody(Buffer.from(KUBECTL_CLUSTERROLEBINDING, "base64").subarray(0, 60))).toThrow(/malformed/);
  });
});
