import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { findCategory } from "../../server/offers/offers.repo.ts";
import { sendReminders, sweep } from "../../server/offers/notices.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import { submit, unescapeHtml } from "../support/web.ts";
import { waitForMail } from "../support/mail.ts";
import { MODE } from "../support/env.ts";
import { DAY, eventually, makeOffer } from "./support.ts";

describe(`offers: last-minute places and reminders (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
  });
  after(() => instance.destroy());

  const deps = () => ({ publicUrl: instance.ctx.config.publicUrl });
  const token = async (member: Member) =>
    (await issueApiToken(instance.ctx.db, member.user.id, "t")).token;
  const notices = (userId: string, kind: string) =>
    instance.ctx.db
      .selectFrom("notifications")
      .select(["kind", "data", "link"])
      .where("user_id", "=", userId)
      .where("kind", "=", kind)
      .execute();

  it("tells category subscribers once when places free up in the last days", async () => {
    const subscriber = await createMember(instance, "member", "abonne");
    const agent = await loggedIn(instance, subscriber);
    const sport = await findCategory(instance.ctx.db, "sport");
    const saved = await submit(agent, "/offers/alerts", "/offers/alerts", {
      categories: sport!.id,
    });
    assert.equal(saved.status, 303);
    assert.match((await agent.get("/offers/alerts")).text, /checked/);

    const offer = await makeOffer(instance, staff.user.id, {
      category: "sport",
      capacity: 1,
      title: "Match de handball",
      startsAt: new Date(Date.now() + 2 * DAY),
      endsAt: new Date(Date.now() + 2 * DAY + 7200_000),
    });
    const holder = await createMember(instance);
    const holderToken = await token(holder);
    await supertest(instance.url)
      .post(`/api/v1/offers/${offer.id}/registrations`)
      .set("Authorization", `Bearer ${holderToken}`)
      .send({ persons: 1 })
      .expect(201);
    await supertest(instance.url)
      .delete(`/api/v1/offers/${offer.id}/registrations/me`)
      .set("Authorization", `Bearer ${holderToken}`)
      .expect(204);

    const [notice] = await eventually(async () => {
      const found = await notices(subscriber.user.id, "offers:lastMinute");
      return found.length ? found : undefined;
    });
    assert.equal(notice!.link, `/offers/${offer.id}`);
    await waitForMail(instance.dataDir, subscriber.email, /Dernière minute/);
    assert.equal((await notices(holder.user.id, "offers:lastMinute")).length, 0, "not subscribed");

    // Freed again: the subscriber has already been told about this offer.
    await supertest(instance.url)
      .post(`/api/v1/offers/${offer.id}/registrations`)
      .set("Authorization", `Bearer ${holderToken}`)
      .send({ persons: 1 })
      .expect(201);
    await supertest(instance.url)
      .delete(`/api/v1/offers/${offer.id}/registrations/me`)
      .set("Authorization", `Bearer ${holderToken}`)
      .expect(204);
    await instance.ctx.queue.enqueue("offers.lastMinute", { offerId: offer.id });
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await notices(subscriber.user.id, "offers:lastMinute")).length, 1);
    const list = await supertest(instance.url).get("/offers/last-minute");
    assert.match(unescapeHtml(list.text), /Match de handball/);
  });

  it("announces offers entering the last-minute window with places left, in the sweep", async () => {
    const subscriber = await createMember(instance);
    const culture = await findCategory(instance.ctx.db, "culture");
    await instance.ctx.db
      .insertInto("offer_category_subscriptions")
      .values({ user_id: subscriber.user.id, category_id: culture!.id })
      .execute();
    const soon = await makeOffer(instance, staff.user.id, {
      category: "culture",
      startsAt: new Date(Date.now() + DAY),
      endsAt: new Date(Date.now() + DAY + 3600_000),
    });
    const later = await makeOffer(instance, staff.user.id, { category: "culture" });
    const ended = await makeOffer(instance, staff.user.id, {
      startsAt: new Date(Date.now() - 2 * DAY),
      endsAt: new Date(Date.now() - DAY),
    });
    const { completed, announce } = await sweep(instance.ctx.db);
    assert.ok(completed >= 1);
    assert.ok(announce.includes(soon.id));
    assert.ok(!announce.includes(later.id));
    const status = await instance.ctx.db
      .selectFrom("offers")
      .select("status")
      .where("id", "=", ended.id)
      .executeTakeFirstOrThrow();
    assert.equal(status.status, "completed");
    await instance.ctx.queue.enqueue("offers.sweep", {});
    await eventually(
      async () => (await notices(subscriber.user.id, "offers:lastMinute")).length > 0,
    );
  });

  it("reminds confirmed participants N days before, once", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      title: "Visite de la centrale",
      startsAt: new Date(Date.now() + DAY),
      endsAt: new Date(Date.now() + DAY + 3600_000),
    });
    const later = await makeOffer(instance, staff.user.id, { title: "Plus tard" });
    const member = await createMember(instance);
    const memberToken = await token(member);
    for (const id of [offer.id, later.id])
      await supertest(instance.url)
        .post(`/api/v1/offers/${id}/registrations`)
        .set("Authorization", `Bearer ${memberToken}`)
        .send({ persons: 1 })
        .expect(201);
    await instance.ctx.transaction((tx) => sendReminders(tx, deps()));
    await instance.ctx.transaction((tx) => sendReminders(tx, deps()));
    await instance.ctx.queue.enqueue("offers.reminders", {});
    await new Promise((r) => setTimeout(r, 1000));
    const reminders = await notices(member.user.id, "offers:reminder");
    assert.equal(reminders.length, 1, "one reminder, whatever the number of runs");
    assert.equal(reminders[0]!.data.offer, "Visite de la centrale");
    await waitForMail(instance.dataDir, member.email, /Rappel/);
  });
});
