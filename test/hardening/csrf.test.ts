// Every unsafe page request carries our form's token, whatever its encoding, and comes from our
// own origin when the browser says where it comes from.
import assert from "node:assert/strict";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { csrfFrom, type Agent } from "../support/web.ts";

async function tokenCount(agent: Agent): Promise<number> {
  const page = await agent.get("/me/security");
  return (page.text.match(/\/me\/tokens\/[0-9a-f-]{36}\/revoke/g) ?? []).length;
}

describe("CSRF on every unsafe page request", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  async function memberWithToken(): Promise<{ agent: Agent; revoke: string }> {
    const agent = await loggedIn(instance, await createMember(instance));
    const page = await agent.get("/me/security");
    const made = await agent
      .post("/me/tokens")
      .type("form")
      .send({ _csrf: csrfFrom(page.text), name: "script" });
    assert.equal(made.status, 200);
    const revoke = /\/me\/tokens\/[0-9a-f-]{36}\/revoke/.exec(made.text)?.[0];
    assert.ok(revoke);
    return { agent, revoke };
  }

  it("refuses a multipart request without a token on a route that needs no field", async () => {
    const { agent, revoke } = await memberWithToken();
    const res = await agent.post(revoke).field("nothing", "x");
    assert.equal(res.status, 403);
    assert.equal(await tokenCount(agent), 1, "the API token is still there");
    const out = await agent.post("/logout").field("nothing", "x");
    assert.equal(out.status, 403);
    assert.equal((await agent.get("/me/security")).status, 200, "still logged in");
  });

  it("accepts a multipart form with its token on a route without uploads", async () => {
    const { agent, revoke } = await memberWithToken();
    const page = await agent.get("/me/security");
    const res = await agent.post(revoke).field("_csrf", csrfFrom(page.text));
    assert.equal(res.status, 303);
    assert.equal(await tokenCount(agent), 0);
  });

  it("answers 400, not 500, to a file sent to a route that takes none", async () => {
    const { agent, revoke } = await memberWithToken();
    const page = await agent.get("/me/security");
    const res = await agent
      .post(revoke)
      .field("_csrf", csrfFrom(page.text))
      .attach("file", Buffer.from("hello"), "a.txt");
    assert.equal(res.status, 400);
    assert.equal(await tokenCount(agent), 1);
  });

  it("refuses an upload route's request without its token", async () => {
    const admin = await loggedIn(instance, await createMember(instance, "admin"));
    const res = await admin.post("/admin/settings").field("name", "Pris en otage");
    assert.equal(res.status, 403);
    assert.notEqual((await instance.ctx.settings.get()).name, "Pris en otage");
  });

  it("refuses a request with a valid token from another site", async () => {
    const { agent, revoke } = await memberWithToken();
    for (const headers of [
      { Origin: "https://attaquant.example" },
      { "Sec-Fetch-Site": "cross-site" },
      { "Sec-Fetch-Site": "same-site" },
    ]) {
      const page = await agent.get("/me/security");
      const res = await agent
        .post(revoke)
        .set(headers)
        .type("form")
        .send({ _csrf: csrfFrom(page.text) });
      assert.equal(res.status, 403, JSON.stringify(headers));
    }
    assert.equal(await tokenCount(agent), 1);
    const page = await agent.get("/me/security");
    const same = await agent
      .post(revoke)
      .set({ Origin: instance.url, "Sec-Fetch-Site": "same-origin" })
      .type("form")
      .send({ _csrf: csrfFrom(page.text) });
    assert.equal(same.status, 303);
  });
});
