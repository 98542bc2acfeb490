// Measures the JavaScript a page loads before its load event, and what it loads after.
// Usage: node scripts/first-load-js.mjs [url]   (a running Fleetdeck, default http://localhost:3000/)
// Chromium: PLAYWRIGHT_CHROMIUM_PATH, else /usr/bin/chromium when it exists, else Playwright's own.
import fs from "node:fs";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";

const url = process.argv[2] ?? "http://localhost:3000/";
const executablePath = process.env.PLAYWRIGHT_CHROMIUM_PATH || (fs.existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage();
const before = [];
const after = [];
let loaded = false;
page.on("response", (response) => {
  if (response.request().resourceType() === "script") (loaded ? after : before).push(response.body().catch(() => null));
});
const started = Date.now();
await page.goto(url, { waitUntil: "load" });
const loadMs = Date.now() - started;
loaded = true;
await page.waitForTimeout(2000);

async function weigh(promises) {
  const bodies = (await Promise.all(promises)).filter(Boolean);
  const kib = (n) => (n / 1024).toFixed(0);
  const raw = bodies.reduce((sum, b) => sum + b.length, 0);
  const gzipped = bodies.reduce((sum, b) => sum + gzipSync(b).length, 0);
  return `${bodies.length} scripts, ${kib(raw)} KiB (${kib(gzipped)} KiB gzipped)`;
}
console.log(`${url}\n  before load (${loadMs} ms): ${await weigh(before)}\n  after load: ${await weigh(after)}`);
await browser.close();
