import { describeGrant, SetupBodySchema } from "@/lib/model/access";
import { api, parseJsonBody, sessionCookieName } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** The one-time setup link's form: creates the first admin and signs them in. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  {
    POST: {
      verb: "setup",
      run: async ({ request, access, audit, cookies }) => {
        const { token, username, password } = await parseJsonBody(SetupBodySchema, request);
        audit.actor = username;
        audit.target = username;
        const session = await access.completeSetup(token, username, password);
        audit.after = describeGrant({ role: "admin", clusters: "*" });
        const name = sessionCookieName(request, access);
        cookies.push({ name, value: session.secret, expires: session.expiresAt });
        return access.me(await access.identifySession(session.secret));
      },
    },
  },
  { public: true },
);
