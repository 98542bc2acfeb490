import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { memoryLogger } from "@/lib/testing/memory-logger";
import { openStorage } from "../storage";
import { Access, type AccessSettings } from "./index";
import { replaceOnePerProcess } from "../process-one";

/**
 * An Access over a fresh SQLite file (or a fresh PostgreSQL schema when
 * `databaseUrl` is given) for tests; `install` makes the route handlers use it.
 */
export async function openTestAccess(settings: Partial<AccessSettings> = {}, options: { databaseUrl?: string } = {}) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "fleetdeck-access-"));
  const log = memoryLogger();
  const schema = options.databaseUrl ? `test_${process.pid}_${Math.random().toString(36).slice(2, 10)}` : undefined;
  const full: AccessSettings = {
    readOnly: false,
    anonymous: "default",
    publicOrigins: ["http://fleetdeck.test"],
    session: { idleMs: 3_600_000, absoluteMs: 86_400_000 },
    oidc: null,
    ...settings,
  };
  const open = async () => new Access(await openStorage({ databaseUrl: options.databaseUrl, dataDir: dir, schema, log }), full, log);
  let access = await open();
  const storage = () => access.storage;
  return {
    get access() {
      return access;
    },
    /** Another Access on the same database, as a second replica has. */
    replica: () => open(),
    /** Closes the database and opens it again, as a restarted process would. */
    reopen: async () => {
      await access.close();
      access = await open();
      return access;
    },
    dir,
    log,
    install: () => {
      replaceOnePerProcess("fleetdeck.access", access);
    },
    close: async () => {
      if (schema) await sql.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).execute(storage().db);
      await access.close();
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
