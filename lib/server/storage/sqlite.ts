import { DatabaseSync, type SQLInputValue } from "node:sqlite";
import type { SqliteDatabase, SqliteStatement } from "kysely";

/**
 * Node's built-in SQLite (no native addon to build) in the shape Kysely's
 * SqliteDialect expects of better-sqlite3: statements that say whether they
 * read, and take their parameters as one array.
 */
export function openSqlite(file: string): SqliteDatabase {
  const db = new DatabaseSync(file);
  // WAL keeps readers off the writer's back; FULL makes every commit durable before it returns.
  db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;");
  const bind = (parameters: ReadonlyArray<unknown>) => parameters.map((p) => (typeof p === "boolean" ? Number(p) : p) as SQLInputValue);
  return {
    close: () => db.close(),
    prepare(sql: string): SqliteStatement {
      const statement = db.prepare(sql);
      return {
        reader: statement.columns().length > 0,
        all: (parameters) => statement.all(...bind(parameters)),
        run: (parameters) => statement.run(...bind(parameters)),
        iterate: (parameters) => statement.iterate(...bind(parameters)),
      };
    },
  };
}
