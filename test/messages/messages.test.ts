// In-app messages (server/messages): a conversation between two members about one subject, the
// unread count beside "Messages", a notice for the first unread message, contact details shown
// only once both agreed, blocking, and reports read and closed by a moderator.
import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { startConversation } from "../../server/messages/messages.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { submit, unescapeHtml } from "../support/web.ts";
import { MODE } from "../support/env.ts";

describe(`messages between two members (${MODE})`, () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  const start = (from: Member, to: Member, body: string, context = "test:1") =>
    instance.ctx.transaction((tx) =>
      startConversation(
        tx,
        { publicUrl: instance.ctx.config.publicUrl },
        {
          fromId: from.user.id,
          toId: to.user.id,
          subject: "Trajet Lyon → Grenoble",
          context,
          link: "/",
          body,
        },
      ),
    );
  const notices = (userId: string) =>
    instance.ctx.db
      .selectFrom("notifications")
      .select(["kind", "data", "link"])
      .where("user_id", "=", userId)
      .where("kind", "=", "messages:newMessage")
      .execute();

  it("lets two members talk, counts unread conversations, and shows details only when both agree", async () => {
    const [alice, bob] = [await createMember(instance), await createMember(instance)];
    const started = await start(alice, bob, "Bonjour, il reste une place ?");
    assert.ok(started.ok);
    const id = started.value.id;
    assert.deepEqual(
      (await start(alice, alice, "moi")).ok ? "ok" : "refused",
      "refused",
      "one cannot write to oneself",
    );

    const bobAgent = await loggedIn(instance, bob);
    const home = await bobAgent.get("/");
    assert.match(unescapeHtml(home.text), /Messages <span class="badge">1</);
    const inbox = await bobAgent.get("/messages");
    assert.match(unescapeHtml(inbox.text), /Trajet Lyon → Grenoble/);
    assert.match(inbox.text, /conversation-item--unread/);
    assert.equal((await notices(bob.user.id)).length, 1, "one notice for the first message");
    assert.equal((await notices(bob.user.id))[0]!.link, `/messages/${id}`);
    // The same subject between the same two members is one conversation, whoever writes.
    const again = await start(bob, alice, "Je relance", "test:1");
    assert.ok(again.ok);
    assert.equal(again.value.id, id);

    const page = await bobAgent.get(`/messages/${id}`);
    assert.equal(page.status, 200);
    assert.match(unescapeHtml(page.text), /Bonjour, il reste une place \?/);
    assert.match(unescapeHtml(page.text), /Je relance/);
    assert.doesNotMatch(page.text, new RegExp(alice.email));
    assert.doesNotMatch((await bobAgent.get("/")).text, /Messages <span class="badge">/);

    const replied = await submit(bobAgent, `/messages/${id}`, `/messages/${id}`, {
      body: "Oui, rendez-vous à 7 h",
    });
    assert.equal(replied.status, 303);
    const empty = await submit(bobAgent, `/messages/${id}`, `/messages/${id}`, { body: "  " });
    assert.equal(empty.status, 422);
    assert.match(unescapeHtml(empty.text), /Écrivez un message/);

    // Contact details: Bob agrees first, Alice does not see them until she agrees too.
    const aliceAgent = await loggedIn(instance, alice);
    await submit(bobAgent, `/messages/${id}`, `/messages/${id}/share`, { share: "on" });
    let alicePage = await aliceAgent.get(`/messages/${id}`);
    assert.doesNotMatch(alicePage.text, new RegExp(bob.email));
    assert.match(unescapeHtml(alicePage.text), /L'autre membre a accepté/);
    await submit(aliceAgent, `/messages/${id}`, `/messages/${id}/share`, { share: "on" });
    alicePage = await aliceAgent.get(`/messages/${id}`);
    assert.match(alicePage.text, new RegExp(`mailto:${bob.email}`));
    assert.match((await bobAgent.get(`/messages/${id}`)).text, new RegExp(`mailto:${alice.email}`));

    // Someone else cannot read it.
    const eve = await loggedIn(instance, await createMember(instance));
    assert.equal((await eve.get(`/messages/${id}`)).status, 404);

    // The API lists it and replies in it.
    const token = (await issueApiToken(instance.ctx.db, alice.user.id, "t")).token;
    const list = await supertest(instance.url)
      .get("/api/v1/messages")
      .set("Authorization", `Bearer ${token}`)
      .expect(200);
    assert.equal(list.body.items[0].id, id);
    assert.equal(list.body.items[0].with, bob.displayName);
    await supertest(instance.url)
      .post(`/api/v1/messages/${id}`)
      .set("Authorization", `Bearer ${token}`)
      .send({ body: "Parfait, merci" })
      .expect(204);
    const one = await supertest(instance.url)
      .get(`/api/v1/messages/${id}`)
      .set("Authorization", `Bearer ${token}`)
      .expect(200);
    assert.equal(one.body.messages.at(-1).body, "Parfait, merci");
    assert.equal(one.body.contact.email, bob.email);
    await supertest(instance.url)
      .post(`/api/v1/messages/${id}`)
      .set("Authorization", `Bearer ${token}`)
      .send({})
      .expect(400);
  });

  it("blocks a conversation and lets a moderator read and close a report", async () => {
    const [alice, bob] = [await createMember(instance), await createMember(instance)];
    const started = await start(alice, bob, "Message insistant");
    assert.ok(started.ok);
    const id = started.value.id;
    const bobAgent = await loggedIn(instance, bob);
    const aliceAgent = await loggedIn(instance, alice);

    const noReason = await submit(bobAgent, `/messages/${id}`, `/messages/${id}/report`, {
      reason: "",
    });
    assert.equal(noReason.status, 422);
    assert.match(unescapeHtml(noReason.text), /Indiquez la raison/);
    const reported = await submit(bobAgent, `/messages/${id}`, `/messages/${id}/report`, {
      reason: "Démarchage commercial",
    });
    assert.equal(reported.status, 303);

    const blocked = await submit(bobAgent, `/messages/${id}`, `/messages/${id}/block`, {
      block: "on",
    });
    assert.equal(blocked.status, 303);
    const refused = await submit(aliceAgent, `/messages/${id}`, `/messages/${id}`, {
      body: "Encore moi",
    });
    assert.equal(refused.status, 409);
    const notHers = await submit(aliceAgent, `/messages/${id}`, `/messages/${id}/block`, {
      block: "off",
    });
    assert.equal(notHers.status, 403);

    assert.equal((await aliceAgent.get("/messages/reports")).status, 403);
    const moderator = await loggedIn(instance, await createMember(instance, "moderator"));
    const reports = await moderator.get("/messages/reports");
    assert.match(unescapeHtml(reports.text), /Démarchage commercial/);
    assert.match(unescapeHtml(reports.text), /Message insistant/);
    const report = await instance.ctx.db
      .selectFrom("conversation_reports")
      .select("id")
      .where("conversation_id", "=", id)
      .executeTakeFirstOrThrow();
    const closed = await submit(moderator, "/messages/reports", `/messages/reports/${report.id}`, {
      block: "on",
    });
    assert.equal(closed.status, 303);
    assert.doesNotMatch(
      unescapeHtml((await moderator.get("/messages/reports")).text),
      /Démarchage commercial/,
    );
  });
});
