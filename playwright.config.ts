import fs from "node:fs";
import { defineConfig } from "@playwright/test";
import { E2E_ADMIN_PASSWORD, E2E_REPLICA_PORTS } from "./e2e/helpers";

/**
 * End-to-end tests against the production build (`npm run build` first) in
 * demo mode: one server as operators use it (an admin from
 * FLEETDECK_ADMIN_PASSWORD, and sign-in with a test OpenID provider), one in
 * read-only mode as a wall display runs it; each starts with an empty data
 * directory. E2E_BASE_URL points the main project at a running server instead
 * (e.g. a dev server while working on the UI), E2E_READ_ONLY_URL the
 * read-only project.
 *
 * With FLEETDECK_TEST_DATABASE_URL (a PostgreSQL that .ci/run starts), two
 * more servers, replicas A and B, share one database as replicas behind a load
 * balancer do (e2e/replicas.spec.ts): one schema of their own, emptied by A
 * before it starts; B starts once A answers. Without it those are left out
 * (local runs without PostgreSQL), except under CI, which must run them.
 */
const PORT = 3123;
const READ_ONLY_PORT = 3124;
const OIDC_PORT = 3125;
const { a: REPLICA_A_PORT, b: REPLICA_B_PORT } = E2E_REPLICA_PORTS;
const external = process.env.E2E_BASE_URL;
const externalReadOnly = process.env.E2E_READ_ONLY_URL;
const testDatabaseUrl = process.env.FLEETDECK_TEST_DATABASE_URL || undefined;
if (process.env.CI && !testDatabaseUrl) {
  throw new Error(
    "CI must run the e2e replicas (two servers sharing one PostgreSQL, e2e/replicas.spec.ts): set FLEETDECK_TEST_DATABASE_URL (.ci/run starts one)",
  );
}

const chromiumPath = process.env.PLAYWRIGHT_CHROMIUM_PATH || (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

/** A word for sh, whatever it holds. */
const shellQuote = (value: string) => `'${value.replaceAll("'", `'\\''`)}'`;

const server = (port: number, env: Record<string, string>, before?: string) => ({
  // A fresh data directory: users, sessions and the audit trail of this run only.
  command: `${before ? `${before} && ` : ""}rm -rf .data/e2e-${port} && npm run start -- -p ${port}`,
  // The API answering means the fleet has started, not just the HTTP listener.
  url: `http://localhost:${port}/api/clusters`,
  // Hermetic: the demo fleet only, whatever kubeconfig or Docker socket the machine has.
  env: {
    FLEETDECK_DEMO: "1",
    FLEETDECK_DISCOVER: "0",
    FLEETDECK_LOG: "warn",
    FLEETDECK_DATA_DIR: `.data/e2e-${port}`,
    FLEETDECK_ADMIN_PASSWORD: E2E_ADMIN_PASSWORD,
    ...env,
  },
  reuseExistingServer: !process.env.CI,
  timeout: 120_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
});

/** A real OpenID provider (e2e/oidc-provider.ts) that the demo server signs users in with (e2e/oidc.spec.ts). */
const oidc = {
  issuer: `http://127.0.0.1:${OIDC_PORT}`,
  clientId: "fleetdeck-e2e",
  clientSecret: "fleetdeck-e2e-client-secret",
};

const oidcProvider = {
  command: "node e2e/oidc-provider.ts",
  url: `${oidc.issuer}/.well-known/openid-configuration`,
  env: {
    OIDC_PORT: String(OIDC_PORT),
    OIDC_REDIRECT_URI: `http://localhost:${PORT}/api/auth/oidc/callback`,
    OIDC_CLIENT_ID: oidc.clientId,
    OIDC_CLIENT_SECRET: oidc.clientSecret,
  },
  reuseExistingServer: !process.env.CI,
  timeout: 30_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
};

/** The demo server signs in with that provider: its public URL makes the redirect URI the one registered there. */
const demoEnv = {
  FLEETDECK_CONFIG: "e2e/clusters.yaml",
  FLEETDECK_PUBLIC_URL: `http://localhost:${PORT}`,
  FLEETDECK_OIDC_ISSUER: oidc.issuer,
  FLEETDECK_OIDC_CLIENT_ID: oidc.clientId,
  FLEETDECK_OIDC_CLIENT_SECRET: oidc.clientSecret,
};

/**
 * The replicas' PostgreSQL schema: not the one the storage tests use (each of
 * those makes its own), nor public. node-postgres passes the URL's `options`
 * to the server as libpq does, so every connection of both replicas has it as
 * its search_path and Fleetdeck's migrations create their tables there.
 */
const REPLICA_SCHEMA = "e2e_replicas";
const replicas = testDatabaseUrl && !external ? replicaServers(testDatabaseUrl) : [];

function replicaServers(databaseUrl: string) {
  const shared = {
    DATABASE_URL: `${databaseUrl}${databaseUrl.includes("?") ? "&" : "?"}options=${encodeURIComponent(`-c search_path=${REPLICA_SCHEMA}`)}`,
  };
  // This run's users, sessions and audit trail only. One statement list is one transaction: the schema is
  // there, empty, or the command fails. Only A runs it, and B starts after A answers (Playwright starts the
  // servers in order, each once the one before is up), so nothing drops the schema under a running replica.
  const reset = `psql ${shellQuote(databaseUrl)} -X -q -v ON_ERROR_STOP=1 -c ${shellQuote(
    `SET client_min_messages = warning; DROP SCHEMA IF EXISTS ${REPLICA_SCHEMA} CASCADE; CREATE SCHEMA ${REPLICA_SCHEMA}`,
  )}`;
  return [server(REPLICA_A_PORT, shared, reset), server(REPLICA_B_PORT, shared)];
}

export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  timeout: 90_000,
  // A dev server compiles routes on first use; give it longer.
  expect: { timeout: external ? 60_000 : 20_000 },
  // The tests share one demo fleet and change it (scaling), so they run in order.
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    viewport: { width: 1440, height: 900 },
    screenshot: "on",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromiumPath,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
  projects: [
    { name: "demo", testIgnore: [/read-only/, /replicas\.spec\.ts$/], use: { baseURL: external ?? `http://localhost:${PORT}` } },
    ...(external && !externalReadOnly
      ? []
      : [{ name: "read-only", testMatch: /read-only/, use: { baseURL: externalReadOnly ?? `http://localhost:${READ_ONLY_PORT}` } }]),
    // The spec reaches replica B itself, at E2E_REPLICA_PORTS.b.
    ...(replicas.length > 0
      ? [{ name: "replicas", testMatch: /replicas\.spec\.ts$/, use: { baseURL: `http://localhost:${REPLICA_A_PORT}` } }]
      : []),
  ],
  webServer: external
    ? undefined
    : [oidcProvider, server(PORT, demoEnv), server(READ_ONLY_PORT, { FLEETDECK_READ_ONLY: "1" }), ...replicas],
});
