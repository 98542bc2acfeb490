"use client";

import { useUrlParams } from "@/lib/client/use-url-params";
import { LIST_LIMIT_MAX, LIST_PAGE } from "@/lib/model/queries";

/** Footer of a paged list: how many are shown, and a way to see more. */
export function ListFooter({ shown, total, noun, limit }: { shown: number; total: number | undefined; noun: string; limit: number }) {
  const [, update] = useUrlParams();
  const all = total ?? shown;
  if (all <= shown) return <span className="figure">{`${shown} ${noun}`}</span>;
  return (
    <span className="figure flex items-center gap-3">
      {`Showing ${shown} of ${all} ${noun}, sorted on the server.`}
      {limit < LIST_LIMIT_MAX ? (
        <button
          type="button"
          className="text-accent hover:underline"
          onClick={() => update({ limit: String(Math.min(LIST_LIMIT_MAX, limit + LIST_PAGE)) })}
        >
          Show {Math.min(LIST_PAGE, all - shown)} more
        </button>
      ) : (
        <span>Narrow the filters to see the rest.</span>
      )}
    </span>
  );
}
