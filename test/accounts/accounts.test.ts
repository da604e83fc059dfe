import assert from "node:assert/strict";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { linkIn, readMails, waitForMail } from "../support/mail.ts";
import { browser, csrfFrom, person, submit, unescapeHtml } from "../support/web.ts";
import { createMember, loggedIn } from "../support/accounts.ts";

describe("accounts (pages)", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("signs up, confirms from the mail file, logs in and logs out", async () => {
    const who = person();
    const agent = browser(instance.url);
    const signup = await submit(agent, "/signup", "/signup", who);
    assert.equal(signup.status, 303);
    assert.equal(signup.headers.location, "/signup/check-email");

    // Not confirmed yet: login is refused with a hint.
    const early = await submit(agent, "/login", "/login", {
      email: who.email,
      password: who.password,
    });
    assert.equal(early.status, 401);
    assert.match(early.text, /pas encore confirmée/);

    const mail = await waitForMail(instance.dataDir, who.email, /Confirmez/);
    const link = linkIn(mail, "/confirm/");
    const confirmed = await agent.get(new URL(link).pathname);
    assert.equal(confirmed.status, 200);
    assert.match(confirmed.text, /Adresse confirmée/);
    // A confirmation link works once.
    assert.equal((await agent.get(new URL(link).pathname)).status, 400);

    const login = await submit(agent, "/login", "/login", {
      email: who.email,
      password: who.password,
    });
    assert.equal(login.status, 303);
    const home = await agent.get("/");
    assert.match(home.text, new RegExp(who.displayName));
    assert.match(home.text, /Se déconnecter/);

    const logout = await agent
      .post("/logout")
      .type("form")
      .send({ _csrf: csrfFrom(home.text) });
    assert.equal(logout.status, 303);
    const after = await agent.get("/");
    assert.doesNotMatch(after.text, new RegExp(who.displayName));
    assert.match(after.text, /Se connecter/);
  });

  it("refuses a wrong password without saying whether the address exists", async () => {
    const member = await createMember(instance);
    const wrong = await submit(browser(instance.url), "/login", "/login", {
      email: member.email,
      password: "pas le bon mot de passe",
    });
    const unknown = await submit(browser(instance.url), "/login", "/login", {
      email: "personne@exemple.fr",
      password: "pas le bon mot de passe",
    });
    assert.equal(wrong.status, 401);
    assert.equal(unknown.status, 401);
    for (const res of [wrong, unknown])
      assert.match(res.text, /Adresse e-mail ou mot de passe incorrect/);
    assert.match(wrong.text, /class="error-summary"/);
  });

  it("refuses a form post without its CSRF token with 403", async () => {
    const member = await createMember(instance);
    const agent = browser(instance.url);
    await agent.get("/login");
    const res = await agent
      .post("/login")
      .type("form")
      .send({ email: member.email, password: member.password });
    assert.equal(res.status, 403);
    assert.match(res.text, /Le formulaire a expiré/);
  });

  it("answers the 11th login attempt within a minute with 429", async () => {
    const limited = await startTestInstance();
    try {
      const agent = browser(limited.url);
      const token = csrfFrom((await agent.get("/login")).text);
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await agent
          .post("/login")
          .type("form")
          .send({ email: "cible@exemple.fr", password: `essai ${i}`, _csrf: token });
        statuses.push(res.status);
      }
      assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
      assert.equal(statuses[10], 429);
    } finally {
      await limited.destroy();
    }
  });

  it("answers alike when the address already has an account, and tells its owner", async () => {
    const member = await createMember(instance);
    const res = await submit(browser(instance.url), "/signup", "/signup", {
      ...person(),
      email: member.email,
    });
    assert.equal(res.status, 303);
    assert.equal(res.headers.location, "/signup/check-email");
    const mail = await waitForMail(instance.dataDir, member.email, /Tentative/);
    assert.match(mail.text, /déjà un/);
  });

  it("shows field errors and keeps the values", async () => {
    const res = await submit(browser(instance.url), "/signup", "/signup", {
      email: "pas-une-adresse",
      password: "court",
      username: "A B",
      displayName: "Zoé",
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /href="#field-email"/);
    assert.match(res.text, /id="error-password"/);
    assert.match(res.text, /aria-invalid="true"/);
    assert.match(res.text, /value="Zoé"/);
  });

  it("resets a forgotten password through the mailed link", async () => {
    const member = await createMember(instance);
    const agent = browser(instance.url);
    const asked = await submit(agent, "/password/forgot", "/password/forgot", {
      email: member.email,
    });
    assert.equal(asked.status, 200);
    const unknown = await submit(agent, "/password/forgot", "/password/forgot", {
      email: "inconnu@exemple.fr",
    });
    assert.equal(
      unknown.text.replace(/name="_csrf" value="[^"]+"/g, ""),
      asked.text.replace(/name="_csrf" value="[^"]+"/g, ""),
    );
    const mail = await waitForMail(instance.dataDir, member.email, /mot de passe/);
    const path = new URL(linkIn(mail, "/password/reset/")).pathname;
    const newPassword = "une toute nouvelle phrase";
    const mismatch = await submit(agent, path, path, {
      password: newPassword,
      confirm: "autre chose encore",
    });
    assert.equal(mismatch.status, 422);
    const done = await submit(agent, path, path, { password: newPassword, confirm: newPassword });
    assert.equal(done.status, 303);
    assert.equal((await agent.get(path)).status, 400);
    await loggedIn(instance, { email: member.email, password: newPassword });
    assert.ok(readMails(instance.dataDir).every((m) => !m.text.includes(newPassword)));
  });
});

describe("registration modes and first admin", () => {
  it("closed and invitation modes", async () => {
    const instance = await startTestInstance({
      env: { ADMIN_EMAIL: "chef@exemple.fr", ADMIN_PASSWORD: "administrateur sûr" },
    });
    try {
      const admin = await loggedIn(instance, {
        email: "chef@exemple.fr",
        password: "administrateur sûr",
      });
      const settingsPage = await admin.get("/admin/settings");
      assert.equal(settingsPage.status, 200);
      const save = (mode: string) =>
        admin
          .post("/admin/settings")
          .field("_csrf", csrfFrom(settingsPage.text))
          .field("name", "CMCAS de Test")
          .field("accentColor", "#0b5fa5")
          .field("registrationMode", mode);
      assert.equal((await save("closed")).status, 303);
      const closed = await browser(instance.url).get("/signup");
      assert.match(closed.text, /Inscriptions fermées/);
      const refused = await submit(browser(instance.url), "/login", "/signup", person());
      assert.equal(refused.status, 403);

      assert.equal((await save("invitation")).status, 303);
      const page = await admin.get("/admin/invitations");
      const created = await admin
        .post("/admin/invitations")
        .type("form")
        .send({ _csrf: csrfFrom(page.text), email: "invite@exemple.fr" });
      const shown = /<code class="token">([^<]+)<\/code>/.exec(created.text)?.[1];
      assert.ok(shown, "invitation link shown");
      const link = unescapeHtml(shown);
      const mailed = await waitForMail(instance.dataDir, "invite@exemple.fr", /Invitation/);
      assert.ok(mailed.text.includes(link));
      const withoutInvitation = await submit(browser(instance.url), "/login", "/signup", person());
      assert.equal(withoutInvitation.status, 403);
      const url = new URL(link);
      const guest = browser(instance.url);
      const ok = await submit(guest, url.pathname + url.search, "/signup", {
        ...person(),
        invitation: url.searchParams.get("invitation")!,
      });
      assert.equal(ok.status, 303);
      const reused = await submit(browser(instance.url), url.pathname + url.search, "/signup", {
        ...person(),
        invitation: url.searchParams.get("invitation")!,
      });
      assert.equal(reused.status, 403);
    } finally {
      await instance.destroy();
    }
  });

  it("offers the setup page only while there is no admin", async () => {
    const instance = await startTestInstance({ admin: false });
    try {
      const agent = browser(instance.url);
      // Every page leads to /setup until then; what a setup cannot do without stays reachable.
      for (const page of ["/", "/signup", "/offers", "/groups"]) {
        const res = await agent.get(page);
        assert.equal(res.status, 303, page);
        assert.equal(res.headers.location, "/setup", page);
      }
      assert.equal((await agent.get("/login")).status, 200);
      assert.equal((await agent.get("/healthz")).status, 200);
      assert.equal((await agent.get("/static/layout.css")).status, 200);
      assert.equal((await agent.get("/api/v1/openapi.json")).status, 200);
      const webfinger = await agent.get(
        `/.well-known/webfinger?resource=acct:cmcas@127.0.0.1:${instance.port}`,
      );
      assert.notEqual(webfinger.status, 303);
      const actor = await agent.get("/actor").set("Accept", "application/activity+json");
      assert.equal(actor.status, 200);
      assert.equal((await agent.get("/setup")).status, 200);
      const res = await submit(agent, "/setup", "/setup", {
        ...person("chef"),
        password: "administrateur sûr",
      });
      assert.equal(res.status, 303);
      assert.equal(res.headers.location, "/admin/settings");
      assert.equal((await agent.get("/admin/settings")).status, 200);
      assert.equal((await browser(instance.url).get("/setup")).status, 404);
      const home = await browser(instance.url).get("/");
      assert.equal(home.status, 200);
      assert.doesNotMatch(home.text, /href="\/setup"/);
    } finally {
      await instance.destroy();
    }
  });
});
