import NextLink from "next/link";
import type { ComponentProps } from "react";

/**
 * Next's Link without prefetching. Every page here is live and rendered per
 * request, so prefetching the links in view (dozens on the overview, one or
 * two per table row) costs the server a render each that is stale before it
 * is used, and ten open tabs multiply it. A click fetches the page then.
 */
export function Link(props: ComponentProps<typeof NextLink>) {
  return <NextLink prefetch={false} {...props} />;
}
