import fs from "node:fs";
import { defineConfig } from "@playwright/test";

/**
 * End-to-end tests against the production build (`npm run build` first) in
 * demo mode: one server as operators use it, one in read-only mode as a wall
 * display runs it. E2E_BASE_URL points the main project at a running server
 * instead (e.g. a dev server while working on the UI), E2E_READ_ONLY_URL the
 * read-only project.
 */
const PORT = 3123;
const READ_ONLY_PORT = 3124;
const external = process.env.E2E_BASE_URL;
const externalReadOnly = process.env.E2E_READ_ONLY_URL;

const chromiumPath =
  process.env.PLAYWRIGHT_CHROMIUM_PATH || (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

const server = (port: number, env: Record<string, string>) => ({
  command: `npm run start -- -p ${port}`,
  // The API answering means the fleet has started, not just the HTTP listener.
  url: `http://localhost:${port}/api/clusters`,
  // Hermetic: the demo fleet only, whatever kubeconfig or Docker socket the machine has.
  env: { FLEETDECK_DEMO: "1", FLEETDECK_DISCOVER: "0", FLEETDECK_LOG: "warn", ...env },
  reuseExistingServer: !process.env.CI,
  timeout: 120_000,
  stdout: "ignore" as const,
  stderr: "pipe" as const,
});

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
    { name: "demo", testIgnore: /read-only/, use: { baseURL: external ?? `http://localhost:${PORT}` } },
    ...(external && !externalReadOnly
      ? []
      : [{ name: "read-only", testMatch: /read-only/, use: { baseURL: externalReadOnly ?? `http://localhost:${READ_ONLY_PORT}` } }]),
  ],
  webServer: external ? undefined : [server(PORT, {}), server(READ_ONLY_PORT, { FLEETDECK_READ_ONLY: "1" })],
});
