import { NextResponse } from "next/server";
import { cookieValue, OIDC_STATE_COOKIE } from "@/lib/server/access";
import { isApiError, NotFoundError } from "@/lib/server/errors";
import { api, sessionCookieName } from "@/lib/server/http";
import { primaryOrigin } from "@/lib/server/origin";

export const dynamic = "force-dynamic";

/** The identity provider's redirect back: completes the sign-in, or lands on the sign-in page saying why not. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  {
    GET: {
      verb: "sign-in",
      run: async ({ request, access, audit, cookies }) => {
        if (!access.oidc) throw new NotFoundError("OpenID Connect sign-in is not configured");
        const origin = primaryOrigin(access.settings.publicOrigins);
        // The URL the provider redirected to, rebuilt from the configured origin rather than the Host header.
        const callback = new URL(`${origin}/api/auth/oidc/callback${new URL(request.url).search}`);
        const header = request.headers.get("cookie");
        const bound = cookieValue(header, OIDC_STATE_COOKIE.secure) ?? cookieValue(header, OIDC_STATE_COOKIE.plain);
        cookies.push(...Object.values(OIDC_STATE_COOKIE).map((name) => ({ name, value: "", expires: 0 })));
        try {
          const identity = await access.oidc.finish(callback, bound);
          audit.actor = identity.username;
          audit.target = identity.username;
          audit.after = identity.grants.map((g) => `${g.role} of ${g.clusters === "*" ? "all clusters" : g.clusters === "demo" ? "the demo clusters" : g.clusters.join(", ")}`).join("; ");
          const session = await access.startSession({ username: identity.username, via: "oidc", grants: identity.grants, groups: identity.groups });
          cookies.push({ name: sessionCookieName(request, access), value: session.secret, expires: session.expiresAt });
          return NextResponse.redirect(new URL(identity.returnTo, origin), 303);
        } catch (err) {
          if (!isApiError(err)) throw err;
          audit.refused = { status: err.status, message: err.message };
          return NextResponse.redirect(new URL(`/sign-in?error=${encodeURIComponent(err.message)}`, origin), 303);
        }
      },
    },
  },
  { public: true },
);
