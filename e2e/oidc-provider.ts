/**
 * The e2e run's OpenID provider (see playwright.config.ts): oidc-provider on
 * 127.0.0.1:$OIDC_PORT with Fleetdeck's redirect URI $OIDC_REDIRECT_URI and
 * two accounts, alice (group sre) and victor (group auditors). Its login form
 * takes the login name and any password. Prints "ready" and runs until killed.
 *
 *   OIDC_PORT=3125 OIDC_REDIRECT_URI=http://localhost:3123/api/auth/oidc/callback node e2e/oidc-provider.ts
 */
import { startOidcProvider } from "../lib/testing/oidc-provider.ts";

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
  return value;
}

const port = Number(required("OIDC_PORT"));
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  console.error(`OIDC_PORT must be a port number, got "${process.env.OIDC_PORT}"`);
  process.exit(2);
}

const provider = await startOidcProvider({
  port,
  redirectUri: required("OIDC_REDIRECT_URI"),
  clientId: process.env.OIDC_CLIENT_ID || "fleetdeck-e2e",
  clientSecret: process.env.OIDC_CLIENT_SECRET || "fleetdeck-e2e-client-secret",
  accounts: [
    { id: "alice", username: "alice", email: "alice@example.test", groups: ["sre"] },
    { id: "victor", username: "victor", email: "victor@example.test", groups: ["auditors"] },
  ],
});

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void provider.close().then(() => process.exit(0));
  });
}

console.log(`OpenID provider ${provider.issuer} (client ${provider.clientId})`);
console.log("ready");
