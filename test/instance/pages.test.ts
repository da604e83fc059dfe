import assert from "node:assert/strict";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser } from "../support/web.ts";

describe("pages, languages and errors", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("speaks French by default, English on Accept-Language or by choice", async () => {
    const fr = await browser(instance.url).get("/");
    assert.match(fr.text, /<html lang="fr">/);
    assert.match(fr.text, /Se connecter/);
    const en = await browser(instance.url).get("/").set("Accept-Language", "en-GB,en;q=0.8");
    assert.match(en.text, /<html lang="en">/);
    assert.match(en.text, /Log in/);
    const agent = browser(instance.url);
    const chosen = await agent.get("/lang/en?next=/login");
    assert.equal(chosen.status, 303);
    assert.equal(chosen.headers.location, "/login");
    assert.match((await agent.get("/login")).text, /<html lang="en">/);
    const offsite = await agent.get("/lang/fr?next=//evil.example");
    assert.equal(offsite.headers.location, "/");
  });

  it("answers a proper 404 page, and problem+json to API clients", async () => {
    const page = await browser(instance.url).get("/nulle-part");
    assert.equal(page.status, 404);
    assert.match(page.text, /Page introuvable/);
    assert.match(page.text, /<html lang="fr">/);
    const json = await browser(instance.url)
      .get("/nulle-part")
      .set("Accept", "application/activity+json");
    assert.equal(json.status, 404);
    assert.match(String(json.headers["content-type"]), /problem\+json/);
  });

  it("sends security headers with a strict Content-Security-Policy", async () => {
    const res = await browser(instance.url).get("/");
    const csp = String(res.headers["content-security-policy"]);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline/);
    assert.equal(res.headers["x-content-type-options"], "nosniff");
    assert.ok(res.headers["x-request-id"]);
  });

  it("reports health and readiness", async () => {
    const health = await browser(instance.url).get("/healthz");
    assert.equal(health.status, 200);
    const ready = await browser(instance.url).get("/readyz");
    assert.equal(ready.status, 200);
    assert.deepEqual(Object.keys(ready.body.checks).sort(), [
      "database",
      "migrations",
      "plugins",
      "queue",
      "queueKind",
    ]);
    assert.equal(ready.body.checks.plugins, "ok");
  });

  it("serves a print stylesheet and creates no session for anonymous reading", async () => {
    const home = await browser(instance.url).get("/");
    // Under its fingerprinted address (ADR 0150).
    const link = /href="(\/static\/v\/[0-9a-f]+\/print.css)" media="print"/.exec(home.text);
    assert.ok(link, "a print stylesheet");
    assert.equal(home.headers["set-cookie"], undefined);
    const css = await browser(instance.url).get(link[1]!);
    assert.equal(css.status, 200);
  });
});
