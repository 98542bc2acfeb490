import "server-only";
import { cache } from "react";
import { headers } from "next/headers";
import { getAccess, type Identity } from "./access";
import { anonymousActor } from "./authz";
import { getFleet, type Fleet } from "./fleet";

/**
 * Who is looking at the page being rendered, resolved once per render (React
 * cache) from the same cookies and headers the API reads. A bad bearer
 * header on a page render is no one: the page treats them as a visitor with
 * no grant, who is asked to sign in.
 */
export const getViewer = cache(async (): Promise<Identity> => {
  const access = await getAccess();
  try {
    return await access.identify(await headers());
  } catch {
    return { actor: anonymousActor("none"), via: "anonymous", sessionSecret: null, staleCookie: false };
  }
});

/** The fleet and the viewer a page renders for. */
export async function viewerFleet(): Promise<{ fleet: Fleet; actor: Identity["actor"] }> {
  const [fleet, viewer] = await Promise.all([getFleet(), getViewer()]);
  return { fleet, actor: viewer.actor };
}
