import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { Workload } from "@/lib/model/types";
import { DataTable } from "./data-table";
import { ScaleControl } from "./scale-control";
import { SettingsProvider } from "./settings";

const mysql: Workload = {
  id: "statefulset~default~mysql",
  name: "mysql",
  namespace: "default",
  kind: "StatefulSet",
  labels: { app: "mysql" },
  images: ["mysql:5.7"],
  desired: 3,
  ready: 3,
  scalable: true,
  notScalableReason: null,
  autoscaler: null,
  createdAt: null,
  selector: "app=mysql",
  info: {},
  events: [],
  volumes: [],
  usage: null,
  health: { state: "healthy", problems: [], tasks: { ready: 3, starting: 0, failing: 0, stopping: 0 } },
};

const ME = { user: "anonymous", via: "anonymous" as const, roles: [], admin: false, signIn: { password: true, oidc: null } };

function render(workload: Workload, readOnly: boolean): string {
  return renderToString(
    h(
      QueryClientProvider,
      { client: new QueryClient() },
      h(SettingsProvider, {
        settings: { readOnly, maxReplicas: 1000, demo: true, me: ME },
        children: h(ScaleControl, { clusterId: "east", workload }),
      }),
    ),
  );
}

describe("ScaleControl", () => {
  it("offers steps, a number and Apply on a scalable workload", () => {
    const html = render(mysql, false);
    expect(html).toContain('aria-label="Replicas"');
    expect(html).toContain('value="3"');
    expect(html).toContain(">Apply<");
    expect(html).toContain('aria-label="One replica more"');
  });
  it("renders no control at all in read-only mode", () => {
    expect(render(mysql, true)).toBe("");
  });
  it("says why a workload cannot be scaled instead of offering a control", () => {
    const html = render({ ...mysql, kind: "DaemonSet", scalable: false, notScalableReason: "a DaemonSet runs one pod per node" }, false);
    expect(html).toContain("Not scalable: a DaemonSet runs one pod per node");
    expect(html).not.toContain("Apply");
  });
});

describe("DataTable", () => {
  it("renders the first rows on the server, with table roles and sort state", () => {
    const rows = Array.from({ length: 2000 }, (_, i) => ({ id: `pod-${i}` }));
    const html = renderToString(
      h(DataTable<{ id: string }>, {
        label: "Pods",
        rows,
        rowKey: (r) => r.id,
        columns: [{ key: "name", header: "Name", width: "1fr", sort: "name", cell: (r) => r.id }],
        sort: { sort: "name", order: "desc" },
        onSort: () => {},
      }),
    );
    expect(html).toContain('role="table" aria-label="Pods" aria-rowcount="2001"');
    expect(html).toContain('aria-sort="descending"');
    expect(html).toContain("pod-0");
    // Virtualised: a screenful, not two thousand rows.
    const rendered = html.match(/role="row"/g)?.length ?? 0;
    expect(rendered).toBeGreaterThan(10);
    expect(rendered).toBeLessThan(100);
  });
});
