// Single sign-on set by an administrator in the pages (ADR 0092): saved in the database, the
// secret write-only, switched on and off at once, refused when incomplete, and the environment
// winning (and said to win) when OIDC_ISSUER is set.
import assert from "node:assert/strict";
import { createMember, loggedIn } from "../support/accounts.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, csrfFrom, type Agent } from "../support/web.ts";
import { signInAtProvider, startProvider, type TestProvider } from "./provider.ts";

const CLIENT = { clientId: "maillage-admin", clientSecret: "un autre secret de test, assez long" };

describe("single sign-on set from the admin pages", function () {
  this.timeout(120_000);
  let provider: TestProvider;
  let instance: TestInstance;
  let admin: Agent;
  let callback: string;

  before(async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    callback = `${url}/login/sso/callback`;
    provider = await startProvider({ ...CLIENT, redirectUri: callback, afterLogout: `${url}/` });
    instance = await startTestInstance({ port });
    admin = await loggedIn(instance, await createMember(instance, "admin"));
  });
  after(async () => {
    await instance?.destroy();
    await provider?.close();
  });

  async function save(fields: Record<string, string>) {
    const page = await admin.get("/admin/sso");
    assert.equal(page.status, 200);
    return admin
      .post("/admin/sso")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), ...fields });
  }

  /** The whole sign-in, from our button to the provider and back; the member's /me page. */
  async function signIn(subject: string) {
    const agent = browser(instance.url);
    const start = await agent.get("/login/sso");
    assert.equal(start.status, 303, start.text);
    const back = new URL(await signInAtProvider(start.headers.location!, subject, callback));
    const done = await agent.get(back.pathname + back.search);
    assert.equal(done.status, 303, done.text);
    return agent.get("/me");
  }

  const complete = {
    enabled: "on",
    issuer: "",
    clientId: CLIENT.clientId,
    clientSecret: CLIENT.clientSecret,
    buttonLabel: "Gaia (CCAS)",
  };

  it("is off until an admin sets it, and only admins see its page", async () => {
    assert.equal((await browser(instance.url).get("/login/sso")).status, 404);
    assert.doesNotMatch((await browser(instance.url).get("/login")).text, /Se connecter avec/);
    const member = await loggedIn(instance, await createMember(instance));
    assert.equal((await member.get("/admin/sso")).status, 403);
    const page = await admin.get("/admin/sso");
    assert.match(page.text, /Connexion unique/);
    assert.match(page.text, /\/login\/sso\/callback/, "the address to register at the provider");
  });

  it("refuses an incomplete or unsafe configuration with messages, and saves nothing", async () => {
    const missing = await save({ enabled: "on", issuer: provider.issuer });
    assert.equal(missing.status, 422);
    assert.match(missing.text, /nécessaire pour activer/);
    const plain = await save({ ...complete, issuer: "http://idp.exemple.fr/" });
    assert.equal(plain.status, 422);
    assert.match(plain.text, /https/);
    assert.ok(!plain.text.includes(CLIENT.clientSecret), "a typed secret is not sent back");
    const rows = await instance.ctx.db.selectFrom("sso_settings").selectAll().execute();
    assert.deepEqual(rows, []);
  });

  it("signs members in once saved; the secret is stored but never shown", async () => {
    const saved = await save({ ...complete, issuer: provider.issuer });
    assert.equal(saved.status, 303, saved.text);
    const page = await admin.get("/admin/sso");
    assert.ok(!page.text.includes(CLIENT.clientSecret), "the secret is not in the page");
    assert.match(page.text, /Un secret est enregistré/);
    assert.match(page.text, /value="maillage-admin"/);
    assert.match(
      (await browser(instance.url).get("/login")).text,
      /Se connecter avec Gaia \(CCAS\)/,
    );

    provider.people.set("odile", {
      email: "odile@exemple.fr",
      email_verified: true,
      name: "Odile",
    });
    const me = await signIn("odile");
    assert.equal(me.status, 200);
    assert.match(me.text, /odile@exemple\.fr/);
  });

  it("keeps the stored secret when the field is left empty, and uses a new one at once", async () => {
    const kept = await save({ ...complete, issuer: provider.issuer, clientSecret: "" });
    assert.equal(kept.status, 303);
    assert.equal((await signIn("odile")).status, 200, "the kept secret still works");

    const wrong = await save({ ...complete, issuer: provider.issuer, clientSecret: "faux" });
    assert.equal(wrong.status, 303);
    const agent = browser(instance.url);
    const start = await agent.get("/login/sso");
    const back = new URL(await signInAtProvider(start.headers.location!, "odile", callback));
    const refused = await agent.get(back.pathname + back.search);
    assert.equal(refused.status, 400, "the provider refuses the new (wrong) secret");
    await save({ ...complete, issuer: provider.issuer });
  });

  it("switched off, the button and the route go away; the settings stay", async () => {
    const off = await save({ ...complete, enabled: "", issuer: provider.issuer, clientSecret: "" });
    assert.equal(off.status, 303);
    assert.equal((await browser(instance.url).get("/login/sso")).status, 404);
    assert.doesNotMatch((await browser(instance.url).get("/login")).text, /Se connecter avec/);
    const row = await instance.ctx.db
      .selectFrom("sso_settings")
      .selectAll()
      .executeTakeFirstOrThrow();
    assert.equal(row.enabled, false);
    assert.equal(row.client_secret, CLIENT.clientSecret);
  });

  it("the environment wins over the page, and the page says so", async () => {
    const port = await freePort();
    const envProvider = await startProvider({
      clientId: "par-env",
      clientSecret: "secret venu de l'environnement",
      redirectUri: `http://127.0.0.1:${port}/login/sso/callback`,
      afterLogout: `http://127.0.0.1:${port}/`,
    });
    const fromEnv = await startTestInstance({
      port,
      env: {
        OIDC_ISSUER: envProvider.issuer,
        OIDC_CLIENT_ID: "par-env",
        OIDC_CLIENT_SECRET: "secret venu de l'environnement",
        OIDC_NAME: "Annuaire",
      },
    });
    try {
      const envAdmin = await loggedIn(fromEnv, await createMember(fromEnv, "admin"));
      const page = await envAdmin.get("/admin/sso");
      assert.match(page.text, /configurée par l&#x27;environnement/);
      const saved = await envAdmin
        .post("/admin/sso")
        .type("form")
        .send({ _csrf: csrfFrom(page.text), ...complete, issuer: provider.issuer });
      assert.equal(saved.status, 303);
      const login = await browser(fromEnv.url).get("/login");
      assert.match(login.text, /Se connecter avec Annuaire/);
      const start = await browser(fromEnv.url).get("/login/sso");
      assert.ok(
        start.headers.location!.startsWith(envProvider.issuer),
        "the environment's provider",
      );
    } finally {
      await fromEnv.destroy();
      await envProvider.close();
    }
  });
});
