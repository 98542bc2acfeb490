import { api } from "@/lib/server/http";

export const dynamic = "force-dynamic";

/** Who am I: { user, via: "session" | "token" | "anonymous", roles, admin, signIn }. */
export const { GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS } = api(
  { GET: async ({ access, identity }) => access.me(identity) },
  { public: true },
);
