import { api, redirectTo, sessionCookieName, signInRedirect } from "@/lib/server/http";
import { safeReturnPath } from "@/lib/server/origin";

export const dynamic = "force-dynamic";

/**
 * A kiosk URL's display token (`/wall?token=…`, sent here by the proxy)
 * exchanged for a session cookie; the browser lands on the page without the
 * token in its address bar.
 */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  {
    GET: {
      verb: "token-exchange",
      run: async ({ request, access, audit, cookies }) => {
        const url = new URL(request.url);
        try {
          const session = await access.exchangeToken(url.searchParams.get("token") ?? "");
          audit.actor = session.name;
          cookies.push({ name: sessionCookieName(request, access), value: session.secret, expires: session.expiresAt });
          return redirectTo(safeReturnPath(url.searchParams.get("next")));
        } catch (err) {
          return signInRedirect(err, audit);
        }
      },
    },
  },
  { public: true },
);
