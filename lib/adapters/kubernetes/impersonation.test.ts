import { describe, expect, it } from "vitest";
import { AdapterError } from "../errors";
import { impersonationHeaders } from "./kube-adapter";

describe("impersonationHeaders", () => {
  it("names the user and each group once, as separate values", () => {
    expect(impersonationHeaders({ name: " alice@example.com ", groups: ["ops", "dev", "ops", " "], anonymous: false })).toEqual({
      "Impersonate-User": "alice@example.com",
      "Impersonate-Group": ["ops", "dev"],
    });
    expect(impersonationHeaders({ name: "alice", groups: [], anonymous: false })).toEqual({ "Impersonate-User": "alice" });
  });

  it("sends an anonymous requester as system:anonymous in system:unauthenticated, whatever else it carries", () => {
    expect(impersonationHeaders({ name: "ignored", groups: ["ops"], anonymous: true })).toEqual({
      "Impersonate-User": "system:anonymous",
      "Impersonate-Group": ["system:unauthenticated"],
    });
  });

  it("refuses (forbidden) without a requester or a name, rather than act as Fleetdeck", () => {
    for (const requester of [undefined, { name: "  ", groups: ["ops"], anonymous: false }]) {
      let err: unknown;
      try {
        impersonationHeaders(requester);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AdapterError);
      expect((err as AdapterError).code).toBe("forbidden");
    }
  });

  it("hands over UTF-8 bytes (one latin1 character each, as HTTP writes header strings) and refuses control characters", () => {
    const headers = impersonationHeaders({ name: "José", groups: ["équipe"], anonymous: false });
    expect(Buffer.from(headers["Impersonate-User"] as string, "latin1").toString("utf8")).toBe("José");
    expect(Buffer.from((headers["Impersonate-Group"] as string[])[0], "latin1").toString("utf8")).toBe("équipe");
    expect(() => impersonationHeaders({ name: "alice\r\nImpersonate-Group: system:masters", groups: [], anonymous: false })).toThrow(
      AdapterError,
    );
  });
});
