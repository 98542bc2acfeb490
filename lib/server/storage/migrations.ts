import { sql, type Kysely } from "kysely";
import type { Migration } from "kysely/migration";

export type Dialect = "sqlite" | "postgres";

/**
 * Versioned schema migrations, applied in name order by Kysely's Migrator
 * (under an advisory lock on PostgreSQL, see storage/index.ts, so replicas
 * starting together migrate once). Append only: never edit a migration that
 * has shipped.
 */
export function migrations(dialect: Dialect): Record<string, Migration> {
  const bigint = dialect === "postgres" ? "bigint" : "integer";
  return {
    "0001_identity_and_audit": {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("users")
          .addColumn("username", "text", (c) => c.primaryKey())
          .addColumn("password_hash", "text", (c) => c.notNull())
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("clusters", "text")
          .addColumn("created_at", bigint, (c) => c.notNull())
          .addColumn("updated_at", bigint, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("sessions")
          .addColumn("id_hash", "text", (c) => c.primaryKey())
          .addColumn("username", "text", (c) => c.notNull())
          .addColumn("via", "text", (c) => c.notNull())
          .addColumn("grants", "text")
          .addColumn("groups", "text", (c) => c.notNull())
          .addColumn("token_id", "text")
          .addColumn("created_at", bigint, (c) => c.notNull())
          .addColumn("last_seen_at", bigint, (c) => c.notNull())
          .addColumn("expires_at", bigint, (c) => c.notNull())
          .execute();
        await db.schema.createIndex("sessions_by_username").on("sessions").column("username").execute();
        await db.schema
          .createTable("display_tokens")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("clusters", "text")
          .addColumn("created_by", "text", (c) => c.notNull())
          .addColumn("created_at", bigint, (c) => c.notNull())
          .addColumn("expires_at", bigint)
          .addColumn("revoked_at", bigint)
          .addColumn("last_used_at", bigint)
          .execute();
        await db.schema
          .createTable("setup_tokens")
          .addColumn("token_hash", "text", (c) => c.primaryKey())
          .addColumn("created_at", bigint, (c) => c.notNull())
          .addColumn("expires_at", bigint, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("oidc_flows")
          .addColumn("state_hash", "text", (c) => c.primaryKey())
          .addColumn("code_verifier", "text", (c) => c.notNull())
          .addColumn("nonce", "text", (c) => c.notNull())
          .addColumn("return_to", "text", (c) => c.notNull())
          .addColumn("expires_at", bigint, (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("audit")
          .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
            dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("at", bigint, (c) => c.notNull())
          .addColumn("request_id", "text", (c) => c.notNull())
          .addColumn("actor", "text", (c) => c.notNull())
          .addColumn("actor_kind", "text", (c) => c.notNull())
          .addColumn("source", "text")
          .addColumn("cluster", "text")
          .addColumn("target", "text")
          .addColumn("verb", "text", (c) => c.notNull())
          .addColumn("before", "text")
          .addColumn("after", "text")
          .addColumn("outcome", "text", (c) => c.notNull())
          .addColumn("status", "integer", (c) => c.notNull())
          .addColumn("message", "text")
          .execute();
        await db.schema.createIndex("audit_by_time").on("audit").column("at").execute();
        await db.schema
          .createTable("sign_in_attempts")
          .addColumn("id", dialect === "postgres" ? "bigserial" : "integer", (c) =>
            dialect === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement(),
          )
          .addColumn("username", "text", (c) => c.notNull())
          .addColumn("client", "text")
          .addColumn("at", bigint, (c) => c.notNull())
          .execute();
        await db.schema.createIndex("sign_in_attempts_by_username").on("sign_in_attempts").columns(["username", "at"]).execute();
        await db.schema.createIndex("sign_in_attempts_by_client").on("sign_in_attempts").columns(["client", "at"]).execute();
        // Append-only from the app's side: the database refuses to change or remove a row.
        if (dialect === "postgres") {
          await sql`CREATE FUNCTION fleetdeck_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$`.execute(db);
          await sql`CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
            FOR EACH ROW EXECUTE FUNCTION fleetdeck_audit_append_only()`.execute(db);
          await sql`CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
            FOR EACH STATEMENT EXECUTE FUNCTION fleetdeck_audit_append_only()`.execute(db);
        } else {
          for (const event of ["UPDATE", "DELETE"]) {
            await sql
              .raw(
                `CREATE TRIGGER audit_append_only_${event.toLowerCase()} BEFORE ${event} ON audit
                BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END`,
              )
              .execute(db);
          }
        }
      },
    },
    "0002_usage_history": {
      // The coarse buckets of the usage history (lib/server/history.ts): one row per cluster, key, step and bucket,
      // upserted, so a series holds at most its tier's capacity of rows once older ones are pruned.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable("usage_history")
          .addColumn("cluster", "text", (c) => c.notNull())
          .addColumn("key", "text", (c) => c.notNull())
          .addColumn("step_seconds", "integer", (c) => c.notNull())
          .addColumn("bucket_start", bigint, (c) => c.notNull())
          .addColumn("samples", "integer", (c) => c.notNull())
          .addColumn("cpu_avg_millis", "double precision")
          .addColumn("cpu_max_millis", "double precision")
          .addColumn("memory_avg_bytes", "double precision")
          .addColumn("memory_max_bytes", "double precision")
          .addPrimaryKeyConstraint("usage_history_pk", ["cluster", "key", "step_seconds", "bucket_start"])
          .execute();
        await db.schema.createIndex("usage_history_by_age").on("usage_history").columns(["step_seconds", "bucket_start"]).execute();
      },
    },
  };
}
