import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import type { UseQueryResult } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import { ApiRequestError } from "@/lib/client/api";
import type { ListAnswer } from "@/lib/model/types";
import { ListTable, type Column } from "./data-table";

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
