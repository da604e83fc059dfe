import assert from "node:assert/strict";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser, csrfFrom, submit } from "../support/web.ts";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64",
);

describe("administration", () => {
  let instance: TestInstance;
  const admin = { email: "admin-adm@exemple.fr", password: "administrateur sûr" };
  before(async () => {
    instance = await startTestInstance({
      env: { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password },
    });
  });
  after(() => instance.destroy());

  it("is for admins only", async () => {
    const member = await loggedIn(instance, await createMember(instance));
    assert.equal((await member.get("/admin/settings")).status, 403);
    assert.equal((await browser(instance.url).get("/admin/settings")).status, 303);
  });

  it("saves the instance settings, logo and an accent colour that stays readable", async () => {
    const agent = await loggedIn(instance, admin);
    const page = await agent.get("/admin/settings");
    const send = (fields: Record<string, string>, logo?: Buffer) => {
      let req = agent.post("/admin/settings").field("_csrf", csrfFrom(page.text));
      for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
      if (logo) req = req.attach("logo", logo, { filename: "logo.png", contentType: "image/png" });
      return req;
    };
    const base = {
      name: "CMCAS de Lyon",
      description: "Activités du Rhône",
      territory: "Rhône et Ain",
      contactEmail: "contact@cmcas-lyon.fr",
      registrationMode: "open",
    };
    const pale = await send({ ...base, accentColor: "#ffff66" });
    assert.equal(pale.status, 422);
    assert.match(pale.text, /trop claire/);
    const ok = await send({ ...base, accentColor: "#7a1f5c" }, PNG);
    assert.equal(ok.status, 303);
    const home = await browser(instance.url).get("/");
    assert.match(home.text, /CMCAS de Lyon/);
    assert.match(home.text, /Rhône et Ain/);
    assert.match(home.text, /src="\/instance\/logo\?v=/);
    const theme = await browser(instance.url).get("/theme.css");
    assert.match(theme.text, /--accent:#7a1f5c/);
    const logo = await browser(instance.url).get("/instance/logo");
    assert.equal(logo.headers["content-type"], "image/png");
    assert.ok(logo.body.equals(PNG));
    const svg = await send(
      { ...base, accentColor: "#7a1f5c" },
      Buffer.from("<svg onload='alert(1)'/>"),
    );
    assert.equal(svg.status, 422, "a file is judged by its bytes, not by the type it claims");
    assert.match(svg.text, /PNG, JPEG ou WebP/);
  });

  it("changes roles but keeps at least one admin", async () => {
    const agent = await loggedIn(instance, admin);
    const member = await createMember(instance);
    const page = await agent.get(`/admin/users?q=${member.username}`);
    assert.match(page.text, new RegExp(member.email));
    const res = await agent
      .post(`/admin/users/${member.user.id}/role`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), role: "staff" });
    assert.equal(res.status, 303);
    const row = await instance.ctx.db
      .selectFrom("users")
      .select("role")
      .where("id", "=", member.user.id)
      .executeTakeFirstOrThrow();
    assert.equal(row.role, "staff");
    const told = await loggedIn(instance, member);
    assert.match((await told.get("/notifications")).text, /professionnel ou élu/);
    const adminRow = await instance.ctx.db
      .selectFrom("users")
      .select("id")
      .where("email", "=", admin.email)
      .executeTakeFirstOrThrow();
    const last = await agent
      .post(`/admin/users/${adminRow.id}/role`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text), role: "member" });
    assert.equal(last.status, 409);
  });

  it("manages SLVies", async () => {
    const agent = await loggedIn(instance, admin);
    const added = await submit(agent, "/admin/slvies", "/admin/slvies", {
      name: "SLVie Presqu'île",
    });
    assert.equal(added.status, 303);
    const dup = await submit(agent, "/admin/slvies", "/admin/slvies", { name: "slvie presqu'île" });
    assert.equal(dup.status, 422);
    const page = await agent.get("/admin/slvies");
    assert.match(page.text, /SLVie Presqu&#x27;île/);
  });

  it("shows failed jobs and retries them", async function () {
    if (instance.ctx.queue.kind !== "database") this.skip();
    const agent = await loggedIn(instance, admin);
    const job = await instance.ctx.db
      .insertInto("jobs")
      .values({
        type: "maintenance.prune",
        payload: "{}",
        max_attempts: 1,
        status: "failed",
        attempts: 1,
        last_error: "disque plein",
        finished_at: new Date(),
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    const page = await agent.get("/admin/jobs");
    assert.match(page.text, /disque plein/);
    const res = await agent
      .post(`/admin/jobs/${job.id}/retry`)
      .type("form")
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(res.status, 303);
    const row = await instance.ctx.db
      .selectFrom("jobs")
      .select("status")
      .where("id", "=", job.id)
      .executeTakeFirstOrThrow();
    assert.notEqual(row.status, "failed");
  });
});
