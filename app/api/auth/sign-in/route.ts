import { SignInBodySchema, USERNAME_PATTERN } from "@/lib/model/access";
import { api, parseJsonBody, sessionCookieName } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** { "username", "password" } → 200 with the session cookie; 401 for bad credentials, 429 when rate-limited. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  {
    POST: {
      verb: "sign-in",
      run: async ({ request, access, identity, source, audit, cookies }) => {
        const { username, password } = await parseJsonBody(SignInBodySchema, request);
        // A password typed into the username field must not land in the audit trail.
        audit.actor = audit.target = USERNAME_PATTERN.test(username) ? username : "(not a username)";
        const session = await access.signIn(username, password, source.client);
        // A new session every time, never the one the browser came with (session fixation).
        if (identity.sessionSecret) await access.sessions.end(identity.sessionSecret);
        const name = sessionCookieName(request, access);
        cookies.push({ name, value: session.secret, expires: session.expiresAt });
        return access.me(await access.identifySession(session.secret));
      },
    },
  },
  { public: true },
);
