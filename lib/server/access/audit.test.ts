import { describe, expect, it } from "vitest";
import Papa from "papaparse";
import type { AuditEntry } from "@/lib/model/access";
import { auditCsv } from "./audit";

const entry = (over: Partial<AuditEntry>): AuditEntry => ({
  id: 1,
  at: "2026-12-01T10:00:00.000Z",
  requestId: "r1",
  actor: "alice",
  actorKind: "user",
  source: "10.0.0.1",
  cluster: "prod",
  target: "web",
  verb: "scale",
  before: "3",
  after: "5",
  outcome: "ok",
  status: 200,
  message: null,
  ...over,
});

describe("auditCsv", () => {
  it("quotes commas, quotes and newlines, and escapes what a spreadsheet would run as a formula", () => {
    const csv = auditCsv([
      entry({ message: '=HYPERLINK("http://evil.example","x")' }),
      entry({ id: 2, target: "a,b", message: 'line\n"two"' }),
    ]);
    const rows = Papa.parse<string[]>(csv.trim(), { newline: "\r\n" }).data;
    expect(rows[0]).toEqual([
      "at",
      "actor",
      "actorKind",
      "source",
      "cluster",
      "target",
      "verb",
      "before",
      "after",
      "outcome",
      "status",
      "message",
      "requestId",
      "id",
    ]);
    expect(rows[1][11]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(rows[2][5]).toBe("a,b");
    expect(rows[2][11]).toBe('line\n"two"');
  });
});
