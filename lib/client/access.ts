import { queryOptions } from "@tanstack/react-query";
import { z } from "zod";
import {
  AuditEntrySchema,
  DisplayTokenSchema,
  MeSchema,
  UserSchema,
  type AuditEntry,
  type DisplayToken,
  type Role,
  type User,
} from "@/lib/model/access";
import type { AuditParams } from "@/lib/model/queries";
import { apiGet, apiSend, apiUrl, listSchema } from "./api";
import { cleanParams } from "./queries";

/**
 * Queries and mutations of who may do what: the signed-in viewer, users,
 * display tokens and the audit trail. Keys are rooted at ["access", ...].
 */

export const accessKeys = {
  users: ["access", "users"] as const,
  tokens: ["access", "tokens"] as const,
  audit: ["access", "audit"] as const,
};

export function usersQuery() {
  return queryOptions({
    queryKey: accessKeys.users,
    queryFn: async ({ signal }): Promise<User[]> => (await apiGet("/api/admin/users", listSchema(UserSchema), undefined, signal)).items,
  });
}

export function tokensQuery() {
  return queryOptions({
    queryKey: accessKeys.tokens,
    queryFn: async ({ signal }): Promise<DisplayToken[]> =>
      (await apiGet("/api/admin/tokens", listSchema(DisplayTokenSchema), undefined, signal)).items,
  });
}

/** The audit trail for filters read from the page's URL (auditParamsFrom in lib/model/queries.ts). */
export function auditQuery(params: AuditParams) {
  const p = cleanParams(params);
  return queryOptions({
    queryKey: [...accessKeys.audit, p] as const,
    queryFn: async ({ signal }): Promise<AuditEntry[]> => (await apiGet("/api/audit", listSchema(AuditEntrySchema), p, signal)).items,
  });
}

export const auditCsvUrl = (params: AuditParams) => apiUrl("/api/audit", { ...cleanParams(params), format: "csv" });

export const signIn = (username: string, password: string) => apiSend("POST", "/api/auth/sign-in", { username, password }, MeSchema);
export const signOut = () => apiSend("POST", "/api/auth/sign-out", {}, z.object({ signedOut: z.boolean() }));
export const completeSetup = (token: string, username: string, password: string) =>
  apiSend("POST", "/api/auth/setup", { token, username, password }, MeSchema);

export const createUser = (input: { username: string; password: string; role: Role; clusters?: string[] | null }) =>
  apiSend("POST", "/api/admin/users", input, UserSchema);
export const updateUser = (username: string, changes: { password?: string; role?: Role; clusters?: string[] | null }) =>
  apiSend("PATCH", `/api/admin/users/${encodeURIComponent(username)}`, changes, UserSchema);
export const deleteUser = (username: string) =>
  apiSend("DELETE", `/api/admin/users/${encodeURIComponent(username)}`, {}, z.object({ deleted: z.string() }));

export const createToken = (input: { name: string; clusters?: string[] | null; expiresAt?: string }) =>
  apiSend("POST", "/api/admin/tokens", input, DisplayTokenSchema.extend({ token: z.string() }));
export const revokeToken = (id: string) => apiSend("DELETE", `/api/admin/tokens/${encodeURIComponent(id)}`, {}, DisplayTokenSchema);
