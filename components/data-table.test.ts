import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import type { UseQueryResult } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { ApiRequestError } from "@/lib/client/api";
import type { ListAnswer } from "@/lib/model/types";
import { DataTable, ListTable, phoneColumns, phoneTrack, rowLayout, type Column } from "./data-table";

type Row = { id: string; name: string };
const columns: Column<Row>[] = [{ key: "name", header: "Name", width: "1fr", cell: (r) => r.name }];

/** Only the fields ListTable reads of a query result. */
function query(state: { data?: ListAnswer<Row>; error?: Error }): UseQueryResult<ListAnswer<Row>> {
  return { isPending: !state.data && !state.error, error: state.error ?? null, data: state.data, refetch: async () => ({}) } as never;
}

function render(state: Parameters<typeof query>[0], filtered = false): string {
  return renderToString(
    h(ListTable<Row>, {
      query: query(state),
      noun: "allocations",
      filtered,
      emptyTitle: "This cluster runs no allocations",
      columns,
      params: {},
    }),
  );
}

describe("ListTable", () => {
  it("shows each designed state, never a blank", () => {
    expect(render({})).toContain('aria-label="Loading"');
    expect(render({ error: new ApiRequestError("selector: unexpected token", 400, "invalid") })).toContain(
      "Fix the filter above to see allocations.",
    );
    const failed = render({ error: new ApiRequestError("nomad: connection refused", 502, "upstream-unreachable") });
    expect(failed).toContain("Could not load allocations");
    expect(failed).toContain("connection refused");
    expect(render({ data: { items: [] } })).toContain("This cluster runs no allocations");
    expect(render({ data: { items: [] } }, true)).toContain("No allocations match these filters");
  });

  it("renders rows with a footer that counts them", () => {
    const html = render({
      data: {
        items: [
          { id: "a", name: "web-1" },
          { id: "b", name: "web-2" },
        ],
        total: 2,
      },
    });
    expect(html).toContain('aria-label="Allocations"');
    expect(html).toContain("web-1");
    expect(html).toContain("web-2");
    expect(html).toMatch(/2(<!-- -->)? allocations/);
  });
});

describe("the phone layout", () => {
  type Pod = { id: string; name: string; state: string; node: string; restarts: number };
  const pods: Column<Pod>[] = [
    { key: "name", header: "Name", width: "minmax(200px, 2.2fr)", phone: true, sort: "name", cell: (p) => p.name },
    { key: "node", header: "Node", width: "minmax(110px, 1fr)", sort: "node", cell: (p) => p.node },
    { key: "state", header: "State", width: "minmax(150px, 1.6fr)", phone: true, sort: "state", cell: (p) => p.state },
    { key: "restarts", header: "Restarts", width: "84px", phone: "80px", sort: "restarts", align: "right", cell: (p) => p.restarts },
    { key: "age", header: "Age", width: "56px", sort: "createdAt", cell: () => "1h" },
  ];

  it("keeps the columns marked for a phone, in their order, or else the first", () => {
    expect(phoneColumns(pods).map((c) => c.key)).toEqual(["name", "state", "restarts"]);
    expect(phoneColumns(pods.map((c) => ({ ...c, phone: undefined }))).map((c) => c.key)).toEqual(["name"]);
  });

  it("drops the minimum widths that make a desktop row wide, unless a column names its phone track", () => {
    expect(phoneTrack({ width: "minmax(200px, 2.2fr)", phone: true })).toBe("minmax(0, 2.2fr)");
    expect(phoneTrack({ width: "1fr", phone: true })).toBe("minmax(0, 1fr)");
    expect(phoneTrack({ width: "84px", phone: true })).toBe("84px");
    expect(phoneTrack({ width: "84px", phone: "64px" })).toBe("64px");
  });

  it("lays a phone row out as its phone columns and the disclosure button; the desktop row as before", () => {
    const layout = rowLayout(pods);
    expect(layout.desktop).toBe("minmax(200px, 2.2fr) minmax(110px, 1fr) minmax(150px, 1.6fr) 84px 56px");
    expect(layout.phone).toBe("minmax(0, 2.2fr) minmax(0, 1.6fr) 80px 28px");
    expect(layout.folded.map((c) => c.key)).toEqual(["node", "age"]);
    expect(layout.desktopMinWidth).toBe(200 + 110 + 150 + 84 + 56);
    // Nothing to fold, no button.
    expect(rowLayout(pods.slice(0, 1)).phone).toBe("minmax(0, 2.2fr)");
  });

  it("hides the folded cells below md, gives each row a named disclosure button and offers every sort in a select", () => {
    const html = renderToString(
      h(DataTable<Pod>, {
        label: "Pods",
        rows: [{ id: "a", name: "web-1", state: "Running", node: "east-worker-a", restarts: 0 }],
        columns: pods,
        rowKey: (p) => p.id,
        sort: { sort: "name", order: "asc" },
        onSort: () => {},
      }),
    );
    const row = /<div[^>]*role="row"[^>]*aria-rowindex="2".*$/s.exec(html)?.[0] ?? "";
    expect(row).toMatch(/role="cell" class="[^"]*hidden md:block[^"]*">east-worker-a</);
    expect(row).not.toMatch(/class="[^"]*hidden md:block[^"]*">web-1</);
    const button = /<button[^>]*aria-expanded="false"[^>]*>/.exec(row)?.[0] ?? "";
    const [toggleId, nameId] = /aria-labelledby="([^" ]+) ([^"]+)"/.exec(button)?.slice(1) ?? [];
    expect(button).toContain(`id="${toggleId}"`);
    expect(button).toContain('aria-label="Details"');
    expect(row).toContain(`id="${nameId}" role="cell"`);
    expect(html).toMatch(/Sort by<select[^>]*>(<option value="[^"]+"( selected="")?>[^<]+<\/option>){5}<\/select>/);
  });
});
