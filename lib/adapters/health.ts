import type { ClusterStatus } from "@/lib/model/types";
import type { AdapterError, AdapterErrorCode } from "./errors";
import type { ConnectionState } from "./types";

/**
 * What one failing upstream source means for the cluster, by error code:
 * "cut-off" when Fleetdeck cannot get through to the orchestrator at all (no
 * connection, no answer, credentials refused), "answering" when the
 * orchestrator answers but not with what was asked (no permission for one
 * list, an API it does not serve, throttling, its own error). A cluster is
 * cut off when every source it has answered for is cut off: "unauthorized"
 * when any of them was refused its credentials, else "unreachable". It is
 * degraded when some source fails but the orchestrator answers, ok when
 * nothing fails.
 */
export const FAILURE_REACH: Record<AdapterErrorCode, "cut-off" | "answering"> = {
  unreachable: "cut-off",
  timeout: "cut-off",
  unauthorized: "cut-off",
  forbidden: "answering",
  "not-found": "answering",
  invalid: "answering",
  conflict: "answering",
  throttled: "answering",
  upstream: "answering",
};

export function cutsOff(err: AdapterError): boolean {
  return FAILURE_REACH[err.code] === "cut-off";
}

/** The status of a cluster whose sources failed with these errors, none answering. */
export function statusForFailures(errors: readonly AdapterError[]): ClusterStatus {
  if (!errors.every(cutsOff)) return "degraded";
  return errors.some((e) => e.code === "unauthorized") ? "unauthorized" : "unreachable";
}

/** The status a cluster with only this one source would have. */
export function statusForFailure(err: AdapterError): ClusterStatus {
  return statusForFailures([err]);
}

type Outcome = { ok: true; warning: string | null } | { ok: false; error: AdapterError };

export interface HealthOptions {
  /**
   * Called when the cluster comes back from being cut off: the orchestrator
   * may have been upgraded meanwhile (Kubernetes reads /version again).
   */
  onRecovered?: () => void;
}

/**
 * Folds the outcomes of an adapter's upstream sources (Kubernetes' lists,
 * Mesos' master and Marathon, Nomad's lists and its follower) into one
 * connection state by FAILURE_REACH, and reports only changes. Before every
 * source has answered once, it reports only a total outage.
 */
export class ConnectionHealth {
  private readonly outcomes = new Map<string, Outcome>();
  private readonly versions = new Map<string, string | null>();
  private clusterVersion: string | null = null;
  private last: ConnectionState | null = null;
  private batching = false;

  constructor(
    private readonly sources: readonly string[],
    private readonly report: (state: ConnectionState) => void,
    private readonly options: HealthOptions = {},
  ) {}

  /** The source answers; `warning` says what it answered is not all it should be. */
  ok(source: string, details: { version?: string | null; warning?: string | null } = {}): void {
    this.outcomes.set(source, { ok: true, warning: details.warning ?? null });
    if (details.version !== undefined) this.versions.set(source, details.version);
    this.publish();
  }

  failed(source: string, error: AdapterError): void {
    this.outcomes.set(source, { ok: false, error });
    this.publish();
  }

  /** Records several outcomes as one: the state is reported once, after all of them. */
  record(update: (health: this) => void): void {
    this.batching = true;
    try {
      update(this);
    } finally {
      this.batching = false;
    }
    this.publish();
  }

  /** The orchestrator's own version, when one request tells it for the whole cluster (Kubernetes' /version). */
  setVersion(version: string | null): void {
    this.clusterVersion = version;
    if (this.last) this.publish();
  }

  /** The state last reported, if any. */
  get state(): ConnectionState | null {
    return this.last;
  }

  private version(): string | null {
    if (this.clusterVersion) return this.clusterVersion;
    const known = this.sources.map((s) => this.versions.get(s)).filter((v): v is string => !!v);
    return known.length ? known.join(" · ") : null;
  }

  private publish(): void {
    if (this.batching) return;
    const outcomes = this.sources.flatMap((s) => {
      const o = this.outcomes.get(s);
      return o ? [o] : [];
    });
    const failures = outcomes.flatMap((o) => (o.ok ? [] : [o.error]));
    const reached = outcomes.some((o) => o.ok || !cutsOff(o.error));
    // Before every source answered, only a total outage is worth reporting.
    if (outcomes.length < this.sources.length && (reached || failures.length === 0)) return;
    const warnings = outcomes.flatMap((o) => (o.ok && o.warning ? [o.warning] : []));
    const reasons = [...new Set([...sharedCauses(failures.map((e) => e.message)), ...warnings])];
    const status: ClusterStatus = !reached ? statusForFailures(failures) : reasons.length ? "degraded" : "ok";
    const next: ConnectionState = { status, reason: summarize(reasons), version: this.version() };
    const previous = this.last;
    if (previous && previous.status === next.status && previous.reason === next.reason && previous.version === next.version) return;
    this.last = next;
    this.report(next);
    if (previous && !reachedStatus(previous.status) && reachedStatus(next.status)) this.options.onRecovered?.();
  }
}

function reachedStatus(status: ClusterStatus): boolean {
  return status === "ok" || status === "degraded";
}

/**
 * Failures with one cause said once: ten lists refused the same connection
 * read "connect ECONNREFUSED 10.0.0.1:6443 (list nodes, list pods and 8
 * more)", not the same words ten times. A message's cause is what follows
 * its first ": " (the source's name comes first).
 */
function sharedCauses(messages: string[]): string[] {
  const bySource = new Map<string, string[]>();
  for (const message of messages) {
    const at = message.indexOf(": ");
    const cause = at > 0 ? message.slice(at + 2) : message;
    bySource.set(cause, [...(bySource.get(cause) ?? []), at > 0 ? message.slice(0, at) : ""]);
  }
  return [...bySource].map(([cause, sources]) => {
    const named = [...new Set(sources.filter(Boolean))];
    if (named.length === 0) return cause;
    if (named.length === 1) return `${named[0]}: ${cause}`;
    const shown = named.slice(0, 2).join(", ");
    return named.length > 2 ? `${cause} (${shown} and ${named.length - 2} more)` : `${cause} (${shown})`;
  });
}

/** At most MAX_REASONS reasons, then how many more: ten lists refused at once say much the same. */
const MAX_REASONS = 3;
function summarize(reasons: string[]): string | null {
  if (!reasons.length) return null;
  const shown = reasons.slice(0, MAX_REASONS).join("; ");
  return reasons.length > MAX_REASONS ? `${shown}; and ${reasons.length - MAX_REASONS} more` : shown;
}
