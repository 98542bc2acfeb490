import { NextResponse } from "next/server";
import { NotFoundError } from "@/lib/server/errors";
import { api } from "@/lib/server/http";
import { OIDC_STATE_COOKIE } from "@/lib/server/access";
import { isHttps, primaryOrigin, safeReturnPath } from "@/lib/server/origin";

export const dynamic = "force-dynamic";

/** Sends the browser to the identity provider (authorization code with PKCE); `?next=` is where to land after. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  {
    GET: async ({ request, access, cookies }) => {
      if (!access.oidc) throw new NotFoundError("OpenID Connect sign-in is not configured (FLEETDECK_OIDC_ISSUER)");
      const origin = primaryOrigin(access.settings.publicOrigins);
      const next = safeReturnPath(new URL(request.url).searchParams.get("next"));
      const { url, state } = await access.oidc.start(`${origin}/api/auth/oidc/callback`, next);
      const name = isHttps(request.headers, access.settings.publicOrigins) ? OIDC_STATE_COOKIE.secure : OIDC_STATE_COOKIE.plain;
      cookies.push({ name, value: state, expires: Date.now() + 10 * 60_000 });
      return NextResponse.redirect(url, 303);
    },
  },
  { public: true },
);
