import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { Volume } from "@/lib/model/types";
import { shortAccessMode, VolumeList, volumeStatusTone } from "./volumes";

const mysql: Volume = {
  name: "mysql-persistent-volume",
  type: "persistentVolumeClaim",
  claim: "mysql-persistent-volume-mysql-{0..2}",
  capacityBytes: 1024 ** 3,
  accessModes: ["ReadWriteOnce"],
  status: "Bound",
};
const scratch: Volume = { name: "/scratch", type: "tmpfs", claim: null, capacityBytes: null, accessModes: [], status: "unmounted" };

/** The rendered text of each row's cells, tags stripped. */
function rows(html: string): string[][] {
  return [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((r) =>
    [...r[1].matchAll(/<t[dh][^>]*>(.*?)<\/t[dh]>/g)].map((c) => c[1].replace(/<!-- -->/g, "").replace(/<[^>]+>/g, "")),
  );
}

describe("VolumeList", () => {
  it("shows each volume's name and type, claim, capacity with its unit, access modes as kubectl abbreviates them, and status", () => {
    const html = renderToString(h(VolumeList, { volumes: [mysql, scratch], emptyText: "none here" }));
    expect(rows(html)).toEqual([
      ["Name", "Claim", "Capacity", "Access", "Status"],
      ["mysql-persistent-volumepersistentVolumeClaim", "mysql-persistent-volume-mysql-{0..2}", "1 GiB", "RWO", "Bound"],
      ["/scratchtmpfs", "none", "—", "—", "unmounted"],
    ]);
    // The full access mode stays at hand.
    expect(html).toContain('title="ReadWriteOnce"');
  });

  it("says what no volumes means instead of an empty table", () => {
    const html = renderToString(h(VolumeList, { volumes: [], emptyText: "No volumes: its pods mount none." }));
    expect(html).not.toContain("<table");
    expect(html).toContain("No volumes: its pods mount none.");
  });

  it("tones statuses: bound and mounted fine, pending a warning, lost or missing trouble, the rest neutral", () => {
    expect(["Bound", "mounted", "Pending", "Lost", "Missing", "unknown", "unmounted", "unused"].map(volumeStatusTone)).toEqual([
      "ok",
      "ok",
      "warn",
      "danger",
      "danger",
      "neutral",
      "neutral",
      "neutral",
    ]);
    expect(shortAccessMode("ReadWriteMany")).toBe("RWX");
    expect(shortAccessMode("single-node-writer")).toBe("single-node-writer");
  });
});
