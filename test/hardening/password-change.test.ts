// A new password ends the access the old one gave: other sessions, API tokens, older reset links.
import assert from "node:assert/strict";
import supertest from "supertest";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { linkIn, readMails } from "../support/mail.ts";
import { browser, submit, type Agent } from "../support/web.ts";

describe("password reset and change end the other accesses", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  async function apiToken(member: Member): Promise<string> {
    const res = await supertest(instance.url)
      .post("/api/v1/tokens")
      .send({ email: member.email, password: member.password });
    assert.equal(res.status, 201);
    return (res.body as { token: string }).token;
  }

  const apiStatus = async (token: string) =>
    (await supertest(instance.url).get("/api/v1/me").auth(token, { type: "bearer" })).status;

  const signedIn = async (agent: Agent) => (await agent.get("/me/security")).status === 200;

  async function resetLinks(member: Member, count: number): Promise<string[]> {
    const agent = browser(instance.url);
    for (let i = 0; i < count; i++)
      await submit(agent, "/password/forgot", "/password/forgot", { email: member.email });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const mails = readMails(instance.dataDir).filter(
        (m) => m.to.includes(member.email) && m.text.includes("/password/reset/"),
      );
      if (mails.length >= count)
        return mails.map((m) => new URL(linkIn(m, "/password/reset/")).pathname);
      if (Date.now() > deadline) throw new Error(`${mails.length} reset mails of ${count}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  it("a reset ends every session and API token, and voids the other links", async () => {
    const member = await createMember(instance);
    const session = await loggedIn(instance, member);
    const token = await apiToken(member);
    assert.equal(await apiStatus(token), 200);
    const [first, second] = await resetLinks(member, 2);
    const agent = browser(instance.url);
    const password = "une phrase de passe toute neuve";
    const done = await submit(agent, second!, second!, { password, confirm: password });
    assert.equal(done.status, 303);
    assert.equal(await signedIn(session), false, "the old session is over");
    assert.equal(await apiStatus(token), 401, "the API token is revoked");
    assert.equal((await agent.get(first!)).status, 400, "the earlier link is void");
    assert.equal((await agent.get(second!)).status, 400, "the used link too");
    await loggedIn(instance, { email: member.email, password });
  });

  it("a change on the profile page ends the other sessions and every API token", async () => {
    const member = await createMember(instance);
    const here = await loggedIn(instance, member);
    const elsewhere = await loggedIn(instance, member);
    const token = await apiToken(member);
    const [pending] = await resetLinks(member, 1);
    const password = "mon nouveau mot de passe";
    const changed = await submit(here, "/me/security", "/me/password", {
      current: member.password,
      password,
      confirm: password,
    });
    assert.equal(changed.status, 303);
    assert.equal(await signedIn(here), true, "the session that changed it stays");
    assert.equal(await signedIn(elsewhere), false, "the other session is over");
    assert.equal(await apiStatus(token), 401, "the API token is revoked");
    assert.equal((await browser(instance.url).get(pending!)).status, 400, "reset link void");
  });
});
