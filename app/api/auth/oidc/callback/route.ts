import { cookieValue, OIDC_STATE_COOKIE } from "@/lib/server/access";
import { describeGrants } from "@/lib/model/access";
import { NotFoundError } from "@/lib/server/errors";
import { api, cookieName, redirectTo, sessionCookieName, signInRedirect } from "@/lib/server/http";
import { primaryOrigin } from "@/lib/server/origin";

export const dynamic = "force-dynamic";

/** The identity provider's redirect back: completes the sign-in, or lands on the sign-in page saying why not. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  {
    GET: {
      verb: "sign-in",
      run: async ({ request, access, audit, cookies }) => {
        if (!access.oidc) throw new NotFoundError("OpenID Connect sign-in is not configured");
        // The URL the provider redirected to, rebuilt from the configured origin rather than the Host header.
        const callback = new URL(`${primaryOrigin(access.settings.publicOrigins)}/api/auth/oidc/callback${new URL(request.url).search}`);
        const stateCookie = cookieName(OIDC_STATE_COOKIE, request, access);
        const bound = cookieValue(request.headers.get("cookie"), stateCookie);
        cookies.push({ name: stateCookie, value: "", expires: 0 });
        try {
          const identity = await access.oidc.finish(callback, bound);
          audit.actor = audit.target = identity.username;
          audit.after = describeGrants(identity.grants);
          const session = await access.startOidcSession(identity);
          cookies.push({ name: sessionCookieName(request, access), value: session.secret, expires: session.expiresAt });
          return redirectTo(identity.returnTo);
        } catch (err) {
          return signInRedirect(err, audit);
        }
      },
    },
  },
  { public: true },
);
