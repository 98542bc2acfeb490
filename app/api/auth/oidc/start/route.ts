import { NextResponse } from "next/server";
import { OIDC_STATE_COOKIE } from "@/lib/server/access";
import { NotFoundError } from "@/lib/server/errors";
import { api, cookieName } from "@/lib/server/http";
import { primaryOrigin, safeReturnPath } from "@/lib/server/origin";

export const dynamic = "force-dynamic";

/** Sends the browser to the identity provider (authorization code with PKCE); `?next=` is where to land after. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  {
    GET: async ({ request, access, cookies }) => {
      if (!access.oidc) throw new NotFoundError("OpenID Connect sign-in is not configured (FLEETDECK_OIDC_ISSUER)");
      const next = safeReturnPath(new URL(request.url).searchParams.get("next"));
      const { url, state } = await access.oidc.start(`${primaryOrigin(access.settings.publicOrigins)}/api/auth/oidc/callback`, next);
      cookies.push({ name: cookieName(OIDC_STATE_COOKIE, request, access), value: state, expires: Date.now() + 10 * 60_000 });
      return NextResponse.redirect(url, 303);
    },
  },
  { public: true },
);
