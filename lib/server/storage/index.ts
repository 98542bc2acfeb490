import "server-only";
import fs from "node:fs/promises";
import path from "node:path";
import { Kysely, PostgresDialect, SqliteDialect } from "kysely";
import { Migrator } from "kysely/migration";
import pg from "pg";
import type { Logger } from "@/lib/log";
import { migrations, type Dialect } from "./migrations";
import type { Tables } from "./schema";
import { openSqlite } from "./sqlite";

export type { Tables } from "./schema";
export type Db = Kysely<Tables>;

/**
 * The one storage layer for what must outlive a process (users, sessions,
 * display tokens, audit): SQLite in the data directory by default, PostgreSQL
 * when DATABASE_URL is set so that several replicas share it.
 */
export interface Storage {
  readonly db: Db;
  readonly dialect: Dialect;
  /** Where it lives, without credentials, for the startup log. */
  readonly where: string;
  close(): Promise<void>;
}

export interface StorageOptions {
  /** postgres:// URL; when absent, SQLite in dataDir. */
  databaseUrl?: string;
  dataDir: string;
  /** PostgreSQL schema to use (tests give each run its own). */
  schema?: string;
  log: Logger;
}

/** pg_advisory_lock key for migrations: "Fldk" in ASCII. */
const MIGRATION_LOCK_KEY = 0x466c646b;

// BIGINT columns hold epoch milliseconds, well inside a double's exact range.
const PG_INT8 = 20;
const pgTypes = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === PG_INT8 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "PostgreSQL";
  }
}

export async function openStorage(options: StorageOptions): Promise<Storage> {
  let db: Db;
  let dialect: Dialect;
  let where: string;
  /** Runs the migrations alone (replicas starting together wait for each other), telling them the schema to keep their bookkeeping in. */
  let exclusively = (migrate: (schema?: string) => Promise<void>) => migrate();
  if (options.databaseUrl) {
    dialect = "postgres";
    where = describeUrl(options.databaseUrl);
    if (options.schema && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) throw new Error(`bad schema name ${options.schema}`);
    const schema = options.schema;
    const pool = new pg.Pool({
      connectionString: options.databaseUrl,
      types: pgTypes,
      max: 10,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
    });
    // An idle client's error (the server restarted) must not crash the process; the next query reconnects.
    pool.on("error", (err) => options.log.warn("PostgreSQL connection lost", { error: err.message }));
    db = new Kysely<Tables>({ dialect: new PostgresDialect({ pool }) });
    // Kysely's own lock lives in a table that must first be created, which two replicas can race to do.
    exclusively = async (migrate) => {
      const client = await pool.connect();
      try {
        await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK_KEY]);
        if (schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        // Named, so that Kysely does not take another schema's kysely_migration (another app's, a test's) for ours.
        const current = (await client.query<{ schema: string }>("SELECT current_schema() AS schema")).rows[0]?.schema;
        await migrate(schema ?? current);
      } finally {
        await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK_KEY]).catch(() => {});
        client.release();
      }
    };
  } else {
    dialect = "sqlite";
    await fs.mkdir(options.dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(options.dataDir, "fleetdeck.db");
    where = `SQLite ${file}`;
    db = new Kysely<Tables>({ dialect: new SqliteDialect({ database: openSqlite(file) }) });
  }
  try {
    await exclusively(async (schema) => {
      const migrator = new Migrator({
        db,
        provider: { getMigrations: async () => migrations(dialect) },
        ...(schema ? { migrationTableSchema: schema } : {}),
      });
      const { error, results } = await migrator.migrateToLatest();
      if (error) throw error;
      for (const r of results ?? []) options.log.info(`storage migration ${r.migrationName}: ${r.status}`);
    });
  } catch (err) {
    await db.destroy();
    throw new Error(`cannot prepare ${where}: ${(err as Error).message}`);
  }
  return { db, dialect, where, close: () => db.destroy() };
}
