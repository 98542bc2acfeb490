import { z } from "zod";

/**
 * Who may do what: roles, their cluster scopes, and the shapes of the
 * access-control API (users, display tokens, audit; the audit trail's query
 * is read with the other queries, in queries.ts). Shared by the server and
 * the browser; nothing secret lives here.
 */

export const ROLES = ["viewer", "operator", "admin"] as const;
export const RoleSchema = z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` });
export type Role = z.infer<typeof RoleSchema>;

const ClusterIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "cluster ids are lowercase letters, digits, '.', '_' or '-'");

/**
 * Which clusters a grant covers: all of them, only the demo fleet's (the
 * default for anonymous operators), or a list of ids.
 */
export const ClusterScopeSchema = z.union([z.literal("*"), z.literal("demo"), z.array(ClusterIdSchema).max(500)]);
export type ClusterScope = z.infer<typeof ClusterScopeSchema>;

const GrantSchema = z.object({ role: RoleSchema, clusters: ClusterScopeSchema });
export type Grant = z.infer<typeof GrantSchema>;

export const ACTOR_KINDS = ["user", "token", "anonymous"] as const;
export type ActorKind = (typeof ACTOR_KINDS)[number];

/** GET /api/auth/me */
export const MeSchema = z.object({
  user: z.string(),
  via: z.enum(["session", "token", "anonymous"]),
  roles: z.array(GrantSchema),
  /** May this actor administer Fleetdeck (users, tokens, audit)? */
  admin: z.boolean(),
  /** Sign-in methods this server offers, for the sign-in page. */
  signIn: z.object({ password: z.boolean(), oidc: z.string().nullable() }),
});
export type Me = z.infer<typeof MeSchema>;

export const USERNAME_PATTERN = /^[a-z0-9][a-z0-9._@-]{0,63}$/;
const Username = z.string().regex(USERNAME_PATTERN, "username must be 1 to 64 lowercase letters, digits, '.', '_', '@' or '-'");
const Password = z
  .string({ error: "password must be a string" })
  .min(12, "password must be at least 12 characters")
  .max(256, "password must be at most 256 characters");

export const SignInBodySchema = z.object(
  { username: z.string().min(1, "username is required").max(64), password: z.string().min(1, "password is required").max(256) },
  { error: 'body must be a JSON object like { "username": "admin", "password": "..." }' },
);

export const SetupBodySchema = z.object({ token: z.string().min(1).max(200), username: Username, password: Password });

export const UserSchema = z.object({
  username: z.string(),
  role: RoleSchema,
  clusters: z.array(z.string()).nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type User = z.infer<typeof UserSchema>;

const UserClusters = z.array(ClusterIdSchema).min(1, "clusters must list at least one id, or be left out for all").max(500).nullable();

export const CreateUserBodySchema = z
  .object({ username: Username, password: Password, role: RoleSchema, clusters: UserClusters.optional() })
  .strict();
export const UpdateUserBodySchema = z
  .object({ password: Password.optional(), role: RoleSchema.optional(), clusters: UserClusters.optional() })
  .strict()
  .refine((b) => Object.keys(b).length > 0, { message: "send at least one of password, role, clusters" });

export const DisplayTokenSchema = z.object({
  id: z.string(),
  name: z.string(),
  clusters: z.array(z.string()).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
export type DisplayToken = z.infer<typeof DisplayTokenSchema>;

export const CreateTokenBodySchema = z
  .object({
    name: z.string().trim().min(1, "name is required").max(100),
    clusters: UserClusters.optional(),
    expiresAt: z.iso.datetime({ offset: true, error: "expiresAt must be an ISO-8601 time like 2027-01-31T00:00:00Z" }).optional(),
  })
  .strict();

export const AUDIT_OUTCOMES = ["ok", "refused", "failed"] as const;

export const AuditEntrySchema = z.object({
  id: z.number().int(),
  at: z.string(),
  requestId: z.string(),
  actor: z.string(),
  actorKind: z.enum(ACTOR_KINDS),
  source: z.string().nullable(),
  cluster: z.string().nullable(),
  target: z.string().nullable(),
  verb: z.string(),
  before: z.string().nullable(),
  after: z.string().nullable(),
  outcome: z.enum(AUDIT_OUTCOMES),
  status: z.number().int(),
  message: z.string().nullable(),
});
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** "all clusters", "the demo clusters", "prod-eu, staging". */
function describeScope(clusters: ClusterScope | null): string {
  if (clusters === null || clusters === "*") return "all clusters";
  if (clusters === "demo") return "the demo clusters";
  return clusters.join(", ");
}

/** "operator of prod-eu", for menus and audit rows. */
export function describeGrant(grant: Grant): string {
  return `${grant.role} of ${describeScope(grant.clusters)}`;
}

export function describeGrants(grants: readonly Grant[]): string {
  return grants.map(describeGrant).join("; ");
}
