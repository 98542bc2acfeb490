import { expect, test } from "@playwright/test";
import { snap } from "./helpers";

/**
 * OpenID Connect sign-in in Chromium: the sign-in page's button, the
 * provider's own login and consent pages (e2e/oidc-provider.ts, started by
 * playwright.config.ts), back on Fleetdeck as alice, an operator through her
 * group "sre" (e2e/clusters.yaml), and out again.
 */

test("signs in with the OpenID provider as alice, an operator, and signs out", async ({ page, baseURL }) => {
  const before = (await (await page.request.get("/api/auth/me")).json()) as { via: string; signIn: { oidc: string | null } };
  expect(before.signIn.oidc, "the demo server should offer OpenID sign-in (FLEETDECK_OIDC_* in playwright.config.ts)").toBeTruthy();
  const button = `Sign in with ${before.signIn.oidc}`;

  await page.goto("/sign-in");
  await snap(page, "oidc-sign-in");
  await page.getByRole("link", { name: button }).click();

  // The provider's development login form: any password.
  await expect(page).toHaveURL(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
  await expect(page.getByRole("heading", { name: "Sign-in" })).toBeVisible();
  await page.getByPlaceholder("Enter any login").fill("alice");
  await page.getByPlaceholder("and password").fill("any password");
  await snap(page, "oidc-provider-login");
  await page.getByRole("button", { name: "Sign-in" }).click();

  // Consent to the scopes Fleetdeck asks for.
  await expect(page.getByRole("heading", { name: "Authorize" })).toBeVisible();
  await expect(page.locator(".login-card")).toContainText("groups");
  await snap(page, "oidc-provider-consent");
  await page.getByRole("button", { name: "Continue" }).click();

  // Back on Fleetdeck, signed in.
  await expect(page).toHaveURL(`${baseURL}/`);
  const account = page.getByRole("banner").getByLabel("Account: alice operator");
  await expect(account).toBeVisible();
  await expect(account).toContainText("alice");
  await expect(account).toContainText("operator");
  await snap(page, "oidc-signed-in");

  await account.click();
  await expect(page.getByText("Signed in as alice")).toBeVisible();
  await expect(page.getByRole("list", { name: "Roles" })).toContainText("operator of all clusters");
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByRole("link", { name: button })).toBeVisible();
  await snap(page, "oidc-signed-out");
  const after = (await (await page.request.get("/api/auth/me")).json()) as { via: string };
  expect(after.via).toBe("anonymous");
});
