import assert from "node:assert/strict";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, csrfFrom, submit } from "../support/web.ts";

describe("member profile", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
    await instance.ctx.db.insertInto("slvies").values({ name: "SLVie de Villeurbanne" }).execute();
  });
  after(() => instance.destroy());

  it("shows and edits the profile, including the home SLVie and language", async () => {
    const member = await createMember(instance);
    const agent = await loggedIn(instance, member);
    const page = await agent.get("/me");
    assert.equal(page.status, 200);
    assert.match(page.text, new RegExp(member.email));
    const slvie = /<option value="([0-9a-f-]{36})">SLVie de Villeurbanne<\/option>/.exec(
      page.text,
    )?.[1];
    assert.ok(slvie);
    const saved = await agent
      .post("/me")
      .type("form")
      .send({
        _csrf: csrfFrom(page.text),
        displayName: "Marie Curie",
        username: member.username,
        homeSlvieId: slvie,
        language: "en",
        discoverable: "on",
      });
    assert.equal(saved.status, 303);
    const after = await agent.get("/me");
    assert.match(after.text, /<html lang="en">/);
    assert.match(after.text, /value="Marie Curie"/);
    assert.match(after.text, new RegExp(`<option value="${slvie}" selected>`));
    assert.match(after.text, /id="field-discoverable" name="discoverable" value="on" checked/);
  });

  it("refuses a username already taken", async () => {
    const [a, b] = [await createMember(instance), await createMember(instance)];
    const agent = await loggedIn(instance, a);
    const res = await submit(agent, "/me", "/me", {
      displayName: "A",
      username: b.username,
      language: "fr",
    });
    assert.equal(res.status, 422);
    assert.match(res.text, /Cet identifiant est déjà pris/);
  });

  it("adds and removes family members, checking the birth year", async () => {
    const member = await createMember(instance);
    const agent = await loggedIn(instance, member);
    const added = await submit(agent, "/me/family", "/me/family", {
      firstName: "Léo",
      relation: "child",
      birthYear: 2014,
    });
    assert.equal(added.status, 303);
    const page = await agent.get("/me/family");
    assert.match(page.text, /<td[^>]*>Léo<\/td>/);
    assert.match(page.text, /<td[^>]*>Enfant<\/td>/);
    const wrong = await submit(agent, "/me/family", "/me/family", {
      firstName: "Futur",
      relation: "child",
      birthYear: 2150,
    });
    assert.equal(wrong.status, 422);
    assert.match(wrong.text, /pas plausible/);
    const action = /action="(\/me\/family\/[0-9a-f-]+\/delete)"/.exec(page.text)![1]!;
    assert.equal(
      (
        await agent
          .post(action)
          .type("form")
          .send({ _csrf: csrfFrom(page.text) })
      ).status,
      303,
    );
    assert.doesNotMatch((await agent.get("/me/family")).text, /<td[^>]*>Léo<\/td>/);
    // Another member cannot delete it.
    const other = await loggedIn(instance, await createMember(instance));
    const otherPage = await other.get("/me/family");
    assert.equal(
      (
        await other
          .post(action)
          .type("form")
          .send({ _csrf: csrfFrom(otherPage.text) })
      ).status,
      404,
    );
  });

  it("saves notification preferences", async () => {
    const member = await createMember(instance);
    const agent = await loggedIn(instance, member);
    const res = await submit(agent, "/me/notifications", "/me/notifications", {
      emailReminders: "on",
      emailForums: "off",
    });
    assert.equal(res.status, 303);
    const row = await instance.ctx.db
      .selectFrom("users")
      .select("notification_prefs")
      .where("id", "=", member.user.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(row.notification_prefs, {
      emailRegistrations: false,
      emailReminders: true,
      emailLastMinute: false,
      emailForums: "off",
    });
  });

  it("changes the password with the current one", async () => {
    const member = await createMember(instance);
    const agent = await loggedIn(instance, member);
    const wrong = await submit(agent, "/me/security", "/me/password", {
      current: "pas le bon",
      password: "nouvelle phrase secrète",
      confirm: "nouvelle phrase secrète",
    });
    assert.equal(wrong.status, 422);
    const ok = await submit(agent, "/me/security", "/me/password", {
      current: member.password,
      password: "nouvelle phrase secrète",
      confirm: "nouvelle phrase secrète",
    });
    assert.equal(ok.status, 303);
    await loggedIn(instance, { email: member.email, password: "nouvelle phrase secrète" });
  });

  it("deletes the account with its data after the password, and ends its sessions", async () => {
    const member = await createMember(instance);
    const agent = await loggedIn(instance, member);
    await submit(agent, "/me/family", "/me/family", {
      firstName: "Zoé",
      relation: "child",
      birthYear: 2012,
    });
    const otherSession = await loggedIn(instance, member);
    const wrong = await submit(agent, "/me/delete", "/me/delete", { password: "pas le bon" });
    assert.equal(wrong.status, 422);
    const done = await submit(agent, "/me/delete", "/me/delete", { password: member.password });
    assert.equal(done.status, 303);
    const users = await instance.ctx.db
      .selectFrom("users")
      .select("id")
      .where("id", "=", member.user.id)
      .execute();
    assert.equal(users.length, 0);
    const family = await instance.ctx.db
      .selectFrom("family_members")
      .select("id")
      .where("user_id", "=", member.user.id)
      .execute();
    assert.equal(family.length, 0);
    assert.equal((await otherSession.get("/me")).status, 303, "the other session is gone");
    const relogin = await submit(browser(instance.url), "/login", "/login", {
      email: member.email,
      password: member.password,
    });
    assert.equal(relogin.status, 401);
  });
});
