import "server-only";
import type { ActorKind, AuditEntry } from "@/lib/model/access";
import { spreadsheetCsv } from "../csv";
import type { Db, Tables } from "../storage";

export type AuditOutcome = AuditEntry["outcome"];

/** One row to append: what was attempted, by whom, from where, and how it ended. */
export interface AuditRecord {
  requestId: string;
  actor: string;
  actorKind: ActorKind;
  source: string | null;
  verb: string;
  cluster?: string | null;
  target?: string | null;
  before?: string | null;
  after?: string | null;
  outcome: AuditOutcome;
  status: number;
  message?: string | null;
}

export interface AuditFilter {
  cluster?: string;
  actor?: string;
  verb?: string;
  outcome?: AuditOutcome;
  since?: number;
  until?: number;
  limit: number;
}

/** The audit API's query parameters as a filter (times as epoch ms; 500 rows unless asked). */
export function auditFilter(q: {
  cluster?: string;
  actor?: string;
  verb?: string;
  outcome?: AuditOutcome;
  since?: string;
  until?: string;
  limit?: number;
}): AuditFilter {
  return {
    cluster: q.cluster,
    actor: q.actor,
    verb: q.verb,
    outcome: q.outcome,
    since: q.since ? Date.parse(q.since) : undefined,
    until: q.until ? Date.parse(q.until) : undefined,
    limit: q.limit ?? 500,
  };
}

/** Long upstream messages are cut: the row is evidence, not a copy of the orchestrator's answer. */
const MAX_MESSAGE = 2000;

function toEntry(row: Omit<Tables["audit"], "id"> & { id: number }): AuditEntry {
  return {
    id: Number(row.id),
    at: new Date(row.at).toISOString(),
    requestId: row.request_id,
    actor: row.actor,
    actorKind: row.actor_kind as ActorKind,
    source: row.source,
    cluster: row.cluster,
    target: row.target,
    verb: row.verb,
    before: row.before,
    after: row.after,
    outcome: row.outcome as AuditOutcome,
    status: row.status,
    message: row.message,
  };
}

/**
 * The audit trail: every mutation and every refused attempt. The app only
 * ever inserts (the database's triggers refuse updates and deletes), and an
 * insert has committed before the answer it records is sent.
 */
export class AuditTrail {
  constructor(private readonly db: Db) {}

  async append(record: AuditRecord): Promise<void> {
    await this.db
      .insertInto("audit")
      .values({
        at: Date.now(),
        request_id: record.requestId,
        actor: record.actor,
        actor_kind: record.actorKind,
        source: record.source,
        cluster: record.cluster ?? null,
        target: record.target ?? null,
        verb: record.verb,
        before: record.before ?? null,
        after: record.after ?? null,
        outcome: record.outcome,
        status: record.status,
        message: record.message ? record.message.slice(0, MAX_MESSAGE) : null,
      })
      .execute();
  }

  /** Newest first. */
  async query(filter: AuditFilter): Promise<AuditEntry[]> {
    let q = this.db.selectFrom("audit").selectAll();
    if (filter.cluster) q = q.where("cluster", "=", filter.cluster);
    if (filter.actor) q = q.where("actor", "=", filter.actor);
    if (filter.verb) q = q.where("verb", "=", filter.verb);
    if (filter.outcome) q = q.where("outcome", "=", filter.outcome);
    if (filter.since !== undefined) q = q.where("at", ">=", filter.since);
    if (filter.until !== undefined) q = q.where("at", "<", filter.until);
    const rows = await q.orderBy("id", "desc").limit(filter.limit).execute();
    return rows.map(toEntry);
  }
}

const CSV_COLUMNS = [
  "at",
  "actor",
  "actorKind",
  "source",
  "cluster",
  "target",
  "verb",
  "before",
  "after",
  "outcome",
  "status",
  "message",
  "requestId",
  "id",
] as const;

export function auditCsv(entries: AuditEntry[]): string {
  return spreadsheetCsv(
    CSV_COLUMNS,
    entries.map((e) => CSV_COLUMNS.map((c) => e[c])),
  );
}
