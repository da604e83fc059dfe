import assert from "node:assert/strict";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, csrfFrom, unescapeHtml, type Agent } from "../support/web.ts";
import { signInAtProvider, startProvider, type TestProvider } from "./provider.ts";

const CLIENT = { clientId: "maillage", clientSecret: "un secret de test assez long" };

describe("single sign-on with OpenID Connect", function () {
  this.timeout(120_000);
  let provider: TestProvider;
  let instance: TestInstance;
  let callback: string;

  before(async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    callback = `${url}/login/sso/callback`;
    provider = await startProvider({
      ...CLIENT,
      redirectUri: callback,
      afterLogout: `${url}/`,
      codeTtlSeconds: 2,
    });
    instance = await startTestInstance({
      port,
      env: {
        OIDC_ISSUER: provider.issuer,
        OIDC_CLIENT_ID: CLIENT.clientId,
        OIDC_CLIENT_SECRET: CLIENT.clientSecret,
        OIDC_SCOPES: "openid email profile member",
        OIDC_NAME: "Gaia",
      },
    });
  });
  after(async () => {
    await instance.destroy();
    await provider.close();
  });

  /** Starts at our sign-in button, signs in at the provider; the URL it sends us back to. */
  async function toCallback(agent: Agent, subject: string) {
    const start = await agent.get("/login/sso");
    assert.equal(start.status, 303);
    assert.ok(start.headers.location!.startsWith(provider.issuer));
    return signInAtProvider(start.headers.location!, subject, callback);
  }

  const back = (agent: Agent, url: string) =>
    agent.get(new URL(url).pathname + new URL(url).search);

  it("creates the account on first sign-in, then finds it again", async () => {
    provider.people.set("claire", {
      email: "claire.sso@exemple.fr",
      email_verified: true,
      name: "Claire Dubois",
    });
    const login = await browser(instance.url).get("/login");
    assert.match(login.text, /Se connecter avec Gaia/);
    const agent = browser(instance.url);
    const done = await back(agent, await toCallback(agent, "claire"));
    assert.equal(done.status, 303, done.text);
    const me = await agent.get("/me");
    assert.equal(me.status, 200);
    assert.match(me.text, /claire\.sso@exemple\.fr/);
    const again = browser(instance.url);
    await back(again, await toCallback(again, "claire"));
    assert.equal((await again.get("/me")).status, 200);
    const accounts = await instance.ctx.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", "claire.sso@exemple.fr")
      .execute();
    assert.equal(accounts.length, 1, "the second sign-in finds the same account");
  });

  it("links the member imported with the member number of the claim", async () => {
    const user = await instance.ctx.db
      .insertInto("users")
      .values({
        email: "autre.adresse@exemple.fr",
        password_hash: "!imported",
        username: "paul_imported",
        display_name: "Paul Importé",
        notification_prefs: "{}",
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await instance.ctx.db
      .insertInto("member_records")
      .values({
        member_number: "N4242",
        last_name: "Importé",
        first_name: "Paul",
        email: "autre.adresse@exemple.fr",
        birth_year: 1970,
        user_id: user.id,
      })
      .execute();
    provider.people.set("paul", {
      email: "paul@ccas.exemple.fr",
      email_verified: true,
      name: "Paul I.",
      member_number: "n4242",
    });
    const agent = browser(instance.url);
    await back(agent, await toCallback(agent, "paul"));
    const me = await agent.get("/me");
    assert.match(me.text, /autre\.adresse@exemple\.fr/, "signed in as the imported member");
  });

  it("refuses a replayed callback, an expired code, and a provider under another issuer", async () => {
    provider.people.set("lea", { email: "lea@exemple.fr", email_verified: true, name: "Léa" });
    const agent = browser(instance.url);
    const url = await toCallback(agent, "lea");
    assert.equal((await back(agent, url)).status, 303);
    const replayed = await back(agent, url);
    assert.equal(replayed.status, 400);
    assert.match(replayed.text, /expiré ou a déjà servi/);

    const late = browser(instance.url);
    const expiring = await toCallback(late, "lea");
    // The provider gives codes two seconds here: this one is used after they ran out.
    await new Promise((r) => setTimeout(r, 2500));
    const expired = await back(late, expiring);
    assert.equal(expired.status, 400);
    assert.match(expired.text, /a refusé la connexion/);
    assert.equal((await late.get("/me")).status, 303, "not signed in");

    const port = await freePort();
    const wrong = await startTestInstance({
      port,
      env: {
        // The same provider under another name: its metadata names 127.0.0.1, not localhost.
        OIDC_ISSUER: provider.issuer.replace("127.0.0.1", "localhost"),
        OIDC_CLIENT_ID: CLIENT.clientId,
        OIDC_CLIENT_SECRET: CLIENT.clientSecret,
      },
    });
    try {
      const refused = await browser(wrong.url).get("/login/sso");
      assert.equal(refused.status, 502);
      assert.match(refused.text, /ne se présente pas sous l&#x27;adresse configurée/);
    } finally {
      await wrong.destroy();
    }
  });

  it("signs out of the provider too", async () => {
    const agent = browser(instance.url);
    await back(agent, await toCallback(agent, "claire"));
    const page = await agent.get("/me");
    const out = await agent
      .post("/logout/sso")
      .type("form")
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(out.status, 200);
    const end = new URL(String(out.headers.refresh).replace(/^0;url=/, ""));
    assert.ok(unescapeHtml(out.text).includes(end.href), "and a link for the person");
    assert.equal(end.origin, provider.issuer);
    assert.ok(end.searchParams.get("id_token_hint"), "the provider is told which session ends");
    assert.equal((await agent.get("/me")).status, 303);
  });
});
