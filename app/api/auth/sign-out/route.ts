import { api, clearSessionCookies } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Ends the session on the server (a copied cookie dies with it) and clears the cookie. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  {
    POST: {
      verb: "sign-out",
      run: async ({ access, identity, cookies }) => {
        if (identity.sessionSecret) await access.sessions.end(identity.sessionSecret);
        cookies.push(...clearSessionCookies());
        return { signedOut: true };
      },
    },
  },
  { public: true },
);
