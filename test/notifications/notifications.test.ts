import assert from "node:assert/strict";
import supertest from "supertest";
import { notify, sendDigests } from "../../server/notifications/notifications.service.ts";
import { updateNotifications } from "../../server/members/members.service.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { readMails, waitForMail } from "../support/mail.ts";
import { csrfFrom } from "../support/web.ts";

describe("notification centre", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  const send = (userId: string, email?: "registrations" | "forums") =>
    instance.ctx.transaction((tx) =>
      notify(tx, instance.ctx.config.publicUrl, {
        userId,
        kind: "admin:roleChanged",
        data: { context: "staff" },
        link: "/me",
        email,
      }),
    );

  it("keeps notices in-app with an unread count, and marks them read when opened", async () => {
    const member = await createMember(instance);
    await send(member.user.id);
    await send(member.user.id);
    const agent = await loggedIn(instance, member);
    const home = await agent.get("/");
    assert.match(home.text, /<span class="badge">2/);
    const list = await agent.get("/notifications");
    const open = /href="(\/notifications\/[0-9a-f-]{36})"/.exec(list.text)![1]!;
    const opened = await agent.get(open);
    assert.equal(opened.status, 303);
    assert.equal(opened.headers.location, "/me");
    assert.match((await agent.get("/")).text, /<span class="badge">1/);
    const all = await agent
      .post("/notifications/read")
      .type("form")
      .send({ _csrf: csrfFrom(list.text) });
    assert.equal(all.status, 303);
    assert.doesNotMatch((await agent.get("/")).text, /class="badge"/);
  });

  it("mails a copy at once when the member's preference says so, and never otherwise", async () => {
    const yes = await createMember(instance);
    const no = await createMember(instance);
    await updateNotifications(instance.ctx.db, no.user.id, {
      ...no.user.notificationPrefs,
      emailRegistrations: false,
    });
    await send(yes.user.id, "registrations");
    await send(no.user.id, "registrations");
    const mail = await waitForMail(instance.dataDir, yes.email);
    assert.match(mail.text, /\/me/);
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(readMails(instance.dataDir).filter((m) => m.to.includes(no.email)).length, 0);
  });

  it("gathers forum notices into one daily digest", async () => {
    const member = await createMember(instance);
    assert.equal(member.user.notificationPrefs.emailForums, "digest");
    await send(member.user.id, "forums");
    await send(member.user.id, "forums");
    const jobs: unknown[] = [];
    const count = await sendDigests(
      instance.ctx.db,
      (type, payload) => jobs.push({ type, payload }),
      instance.ctx.i18n,
      instance.ctx.config.publicUrl,
    );
    assert.equal(count >= 1, true);
    const mine = jobs.filter((j) => JSON.stringify(j).includes(member.email));
    assert.equal(mine.length, 1);
    assert.match(JSON.stringify(mine[0]), /"count":2/);
    // Sent entries are not sent twice.
    const again: unknown[] = [];
    await sendDigests(
      instance.ctx.db,
      (type, payload) => again.push({ type, payload }),
      instance.ctx.i18n,
      instance.ctx.config.publicUrl,
    );
    assert.equal(again.filter((j) => JSON.stringify(j).includes(member.email)).length, 0);
  });

  it("is available through the API", async () => {
    const member = await createMember(instance);
    await send(member.user.id);
    const api = supertest(instance.url);
    const token = (
      await api.post("/api/v1/tokens").send({ email: member.email, password: member.password })
    ).body.token as string;
    const list = await api.get("/api/v1/notifications").set("Authorization", `Bearer ${token}`);
    assert.equal(list.status, 200);
    assert.equal(list.body.unread, 1);
    assert.match(list.body.items[0].message, /professionnel ou élu/);
    const read = await api
      .post("/api/v1/notifications/read")
      .set("Authorization", `Bearer ${token}`)
      .send({});
    assert.equal(read.body.marked, 1);
  });
});
