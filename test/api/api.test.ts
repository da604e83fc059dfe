import assert from "node:assert/strict";
import { Validator } from "@seriousme/openapi-schema-validator";
import supertest from "supertest";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { waitForMail } from "../support/mail.ts";
import { csrfFrom, person } from "../support/web.ts";

describe("JSON API", () => {
  let instance: TestInstance;
  let api: ReturnType<typeof supertest>;
  const admin = { email: "admin-api@exemple.fr", password: "administrateur sûr" };

  before(async () => {
    instance = await startTestInstance({
      env: { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password },
    });
    api = supertest(instance.url);
  });
  after(() => instance.destroy());

  async function tokenFor(who: { email: string; password: string }): Promise<string> {
    const res = await api
      .post("/api/v1/tokens")
      .send({ email: who.email, password: who.password, name: "tests" });
    assert.equal(res.status, 201);
    return res.body.token as string;
  }

  it("issues a token for good credentials and refuses bad ones with problem+json", async () => {
    const member = await createMember(instance);
    const ok = await api
      .post("/api/v1/tokens")
      .send({ email: member.email, password: member.password });
    assert.equal(ok.status, 201);
    assert.match(ok.body.token, /^mlg_/);
    const bad = await api
      .post("/api/v1/tokens")
      .send({ email: member.email, password: "pas le bon" });
    assert.equal(bad.status, 401);
    assert.match(String(bad.headers["content-type"]), /^application\/problem\+json/);
    assert.equal(bad.body.status, 401);
    assert.equal(typeof bad.body.title, "string");
  });

  it("answers /me for the token's owner, and 401 without or with a revoked token", async () => {
    const member = await createMember(instance);
    const token = await tokenFor(member);
    const me = await api.get("/api/v1/me").set("Authorization", `Bearer ${token}`);
    assert.equal(me.status, 200);
    assert.equal(me.body.email, member.email);
    assert.equal(me.body.role, "member");
    const anonymous = await api.get("/api/v1/me");
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.headers["content-type"]), /problem\+json/);
    assert.match(String(anonymous.headers["www-authenticate"]), /^Bearer/);

    const list = await api.get("/api/v1/tokens").set("Authorization", `Bearer ${token}`);
    assert.equal(list.body.length, 1);
    const revoked = await api
      .delete(`/api/v1/tokens/${list.body[0].id}`)
      .set("Authorization", `Bearer ${token}`);
    assert.equal(revoked.status, 204);
    assert.equal((await api.get("/api/v1/me").set("Authorization", `Bearer ${token}`)).status, 401);
  });

  it("lists and revokes tokens from the member's security page", async () => {
    const member = await createMember(instance);
    const token = await tokenFor(member);
    const agent = await loggedIn(instance, member);
    const page = await agent.get("/me/security");
    assert.match(page.text, /tests/);
    const action = /action="(\/me\/tokens\/[0-9a-f-]+\/revoke)"/.exec(page.text)?.[1];
    assert.ok(action);
    const res = await agent
      .post(action)
      .type("form")
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(res.status, 303);
    assert.equal((await api.get("/api/v1/me").set("Authorization", `Bearer ${token}`)).status, 401);
  });

  it("names the bad field of an invalid body", async () => {
    const res = await api.post("/api/v1/accounts").send({
      email: "pas une adresse",
      password: "une phrase assez longue",
      username: "ok_name",
      displayName: "X",
    });
    assert.equal(res.status, 400);
    assert.match(String(res.headers["content-type"]), /^application\/problem\+json/);
    assert.deepEqual(
      res.body.errors.map((e: { field: string }) => e.field),
      ["email"],
    );
    assert.equal(res.body.errors[0].pointer, "/email");
    const notJson = await api
      .post("/api/v1/tokens")
      .set("Content-Type", "application/json")
      .send("{oops");
    assert.equal(notJson.status, 400);
    assert.match(String(notJson.headers["content-type"]), /problem\+json/);
  });

  it("creates accounts: open sign-up answers 202 and mails; admins create any role in any mode", async () => {
    const who = person("api");
    const open = await api.post("/api/v1/accounts").send(who);
    assert.equal(open.status, 202);
    await waitForMail(instance.dataDir, who.email, /Confirmez/);
    const forged = await api.post("/api/v1/accounts").send({ ...person("forge"), role: "admin" });
    assert.equal(forged.status, 403);

    const adminToken = await tokenFor(admin);
    await instance.ctx.db
      .updateTable("instance_settings")
      .set({ registration_mode: "closed" })
      .execute();
    instance.ctx.settings.invalidate();
    try {
      const closed = await api.post("/api/v1/accounts").send(person("closed"));
      assert.equal(closed.status, 403);
      const staff = person("staff");
      const created = await api
        .post("/api/v1/accounts")
        .set("Authorization", `Bearer ${adminToken}`)
        .send({ ...staff, role: "staff" });
      assert.equal(created.status, 201);
      assert.equal(created.body.role, "staff");
      assert.equal(created.body.emailConfirmed, true);
      const dup = await api
        .post("/api/v1/accounts")
        .set("Authorization", `Bearer ${adminToken}`)
        .send({ ...staff, username: "autre_nom" });
      assert.equal(dup.status, 409);
    } finally {
      await instance.ctx.db
        .updateTable("instance_settings")
        .set({ registration_mode: "open" })
        .execute();
      instance.ctx.settings.invalidate();
    }
  });

  it("edits the profile and family through the API", async () => {
    const member = await createMember(instance);
    const auth = `Bearer ${await tokenFor(member)}`;
    const patched = await api
      .patch("/api/v1/me")
      .set("Authorization", auth)
      .send({ displayName: "Nouveau Nom", language: "en", notifications: { emailForums: "off" } });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.displayName, "Nouveau Nom");
    assert.equal(patched.body.language, "en");
    const child = await api
      .post("/api/v1/me/family")
      .set("Authorization", auth)
      .send({ firstName: "Léa", relation: "child", birthYear: 2016 });
    assert.equal(child.status, 201);
    const family = await api.get("/api/v1/me/family").set("Authorization", auth);
    assert.deepEqual(
      family.body.map((f: { firstName: string }) => f.firstName),
      ["Léa"],
    );
    const future = await api
      .post("/api/v1/me/family")
      .set("Authorization", auth)
      .send({ firstName: "Bébé", relation: "child", birthYear: 2199 });
    assert.equal(future.status, 400);
    assert.equal(future.body.errors[0].field, "birthYear");
    assert.equal(
      (await api.delete(`/api/v1/me/family/${child.body.id}`).set("Authorization", auth)).status,
      204,
    );
  });

  it("publishes a valid OpenAPI 3.1 document describing every route", async () => {
    const res = await api.get("/api/v1/openapi.json");
    assert.equal(res.status, 200);
    const doc = res.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.equal(doc.openapi, "3.1.0");
    const result = await new Validator().validate(doc as never);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2));
    for (const path of ["/tokens", "/me", "/accounts", "/me/family", "/notifications"]) {
      assert.ok(doc.paths[path], `${path} is documented`);
    }
    const documented = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m} ${p}`),
    );
    for (const op of [
      "post /tokens",
      "get /tokens",
      "delete /tokens/{id}",
      "get /me",
      "patch /me",
      "post /accounts",
    ]) {
      assert.ok(documented.includes(op), `${op} is documented`);
    }
  });

  it("answers unknown API paths with a problem, never HTML", async () => {
    const res = await api.get("/api/v1/nothing-here");
    assert.equal(res.status, 404);
    assert.match(String(res.headers["content-type"]), /problem\+json/);
  });
});
