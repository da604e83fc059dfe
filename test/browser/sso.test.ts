// The OpenID Connect sign-in as a person goes through it, in Chromium: our sign-in page, the
// provider's login and consent pages, back signed in; then signing out of both.
import assert from "node:assert/strict";
import type { Browser } from "playwright-core";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { startProvider, type TestProvider } from "../sso/provider.ts";
import { chromiumAvailable, launch } from "./harness.ts";

describe("browser: single sign-on through the identity provider", function () {
  this.timeout(180_000);
  let provider: TestProvider;
  let instance: TestInstance;
  let chromium: Browser;

  before(async function () {
    if (SKIP_BROWSER_SUITE || !chromiumAvailable()) this.skip();
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    provider = await startProvider({
      clientId: "maillage",
      clientSecret: "un secret de test assez long",
      redirectUri: `${url}/login/sso/callback`,
      afterLogout: `${url}/`,
    });
    instance = await startTestInstance({
      port,
      env: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: "maillage",
        OIDC_CLIENT_SECRET: "un secret de test assez long",
        OIDC_NAME: "Gaia",
        OIDC_PASSWORDS: "0",
      },
    });
    chromium = await launch();
  });
  after(async () => {
    await chromium?.close();
    await instance?.destroy();
    await provider?.close();
  });

  it("signs in with the provider's account and signs out of both", async () => {
    provider.people.set("marc", {
      email: "marc.chromium@exemple.fr",
      email_verified: true,
      name: "Marc Durand",
    });
    const context = await chromium.newContext();
    const page = await context.newPage();
    await page.goto(`${instance.url}/login`);
    assert.equal(await page.locator('input[name="password"]').count(), 0, "passwords are off");
    await page.getByRole("link", { name: /Gaia/ }).click();
    await page.waitForURL(`${provider.issuer}/**`);
    await page.fill('input[name="login"]', "marc");
    await page.fill('input[name="password"]', "peu importe");
    await page.click('button[type="submit"]');
    await page.waitForSelector('input[name="prompt"][value="consent"]', { state: "attached" });
    await page.click('button[type="submit"]');
    await page.waitForURL(`${instance.url}/**`);
    await page.goto(`${instance.url}/me`);
    assert.equal(new URL(page.url()).pathname, "/me");
    assert.match(await page.content(), /marc\.chromium@exemple\.fr/);

    // The header's sign-out button ends the provider's session too.
    await page.locator('.account-nav form[action="/logout/sso"] button').click();
    await page.waitForURL(`${provider.issuer}/**`);
    assert.match(new URL(page.url()).pathname, /session\/end/);
    await page.goto(`${instance.url}/me`);
    assert.equal(new URL(page.url()).pathname, "/login", "signed out here");
    await context.close();
  });
});
