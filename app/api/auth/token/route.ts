import { NextResponse } from "next/server";
import { api, sessionCookieName } from "@/lib/server/http";
import { primaryOrigin, safeReturnPath } from "@/lib/server/origin";
import { isApiError } from "@/lib/server/errors";

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
        const next = safeReturnPath(url.searchParams.get("next"));
        const origin = primaryOrigin(access.settings.publicOrigins);
        try {
          const session = await access.exchangeToken(url.searchParams.get("token") ?? "");
          audit.actor = session.name;
          cookies.push({ name: sessionCookieName(request, access), value: session.secret, expires: session.expiresAt });
          return NextResponse.redirect(new URL(next, origin), 303);
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
