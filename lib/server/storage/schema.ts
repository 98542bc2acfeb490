import type { Generated } from "kysely";

/**
 * The tables Fleetdeck keeps beyond a process's life. Times are epoch
 * milliseconds; lists are JSON text; both dialects store them alike.
 */
export interface Tables {
  users: {
    username: string;
    password_hash: string;
    role: string;
    /** JSON array of cluster ids, or null for every cluster. */
    clusters: string | null;
    created_at: number;
    updated_at: number;
  };
  sessions: {
    /** SHA-256 of the cookie's value: a stolen database holds no usable session. */
    id_hash: string;
    username: string;
    /** How the session began: password, oidc, setup or token. */
    via: string;
    /** JSON Grant[] fixed at sign-in (OIDC, display tokens); null: read from users at each request. */
    grants: string | null;
    /** JSON array of the identity provider's groups, for Kubernetes impersonation. */
    groups: string;
    token_id: string | null;
    created_at: number;
    last_seen_at: number;
    expires_at: number;
  };
  display_tokens: {
    id: string;
    token_hash: string;
    name: string;
    clusters: string | null;
    created_by: string;
    created_at: number;
    expires_at: number | null;
    revoked_at: number | null;
    last_used_at: number | null;
  };
  setup_tokens: {
    token_hash: string;
    created_at: number;
    expires_at: number;
  };
  /** A sign-in at the identity provider in progress: PKCE verifier and nonce, for ten minutes. */
  oidc_flows: {
    state_hash: string;
    code_verifier: string;
    nonce: string;
    return_to: string;
    expires_at: number;
  };
  /** Password sign-ins of the last window, counted before the password is checked. */
  sign_in_attempts: {
    id: Generated<number>;
    username: string;
    client: string | null;
    at: number;
  };
  /** Coarse usage buckets (lib/server/history.ts), keyed by cluster, series key, step and bucket start. */
  usage_history: {
    cluster: string;
    /** "cluster", "node:<id>" or "workload:<id>". */
    key: string;
    step_seconds: number;
    bucket_start: number;
    /** Raw samples with a value in the bucket; 0 with null figures: only gaps. */
    samples: number;
    cpu_avg_millis: number | null;
    cpu_max_millis: number | null;
    memory_avg_bytes: number | null;
    memory_max_bytes: number | null;
  };
  audit: {
    id: Generated<number>;
    at: number;
    request_id: string;
    actor: string;
    actor_kind: string;
    source: string | null;
    cluster: string | null;
    target: string | null;
    verb: string;
    before: string | null;
    after: string | null;
    outcome: string;
    status: number;
    message: string | null;
  };
}
