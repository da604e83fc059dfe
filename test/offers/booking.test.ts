import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, type Member } from "../support/accounts.ts";
import { waitForMail } from "../support/mail.ts";
import { MODE } from "../support/env.ts";
import { makeOffer } from "./support.ts";

describe(`offers: booking under concurrency (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;
  const members: { member: Member; token: string }[] = [];

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
    for (let i = 0; i < 50; i++) {
      const member = await createMember(instance, "member", `conc${i}x`);
      const { token } = await issueApiToken(instance.ctx.db, member.user.id, "test");
      members.push({ member, token });
    }
  });
  after(() => instance.destroy());

  const api = () => supertest(instance.url);
  const registrations = (offerId: string) =>
    instance.ctx.db
      .selectFrom("offer_registrations")
      .select(["id", "seq", "user_id", "status", "persons"])
      .where("offer_id", "=", offerId)
      .where("status", "<>", "cancelled")
      .orderBy("seq")
      .execute();

  it("50 concurrent requests for 10 places: 10 confirmed, 40 waiting in arrival order, nobody twice", async () => {
    const offer = await makeOffer(instance, staff.user.id, { capacity: 10 });
    const responses = await Promise.all(
      members.map(({ token }) =>
        api()
          .post(`/api/v1/offers/${offer.id}/registrations`)
          .set("Authorization", `Bearer ${token}`)
          .send({ persons: 1 }),
      ),
    );
    for (const res of responses) assert.equal(res.status, 201, res.text);
    const confirmed = responses.filter((r) => r.body.status === "confirmed");
    const waiting = responses.filter((r) => r.body.status === "waitlisted");
    assert.equal(confirmed.length, 10);
    assert.equal(waiting.length, 40);
    assert.deepEqual(
      waiting.map((r) => r.body.position as number).sort((a, b) => a - b),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );

    const rows = await registrations(offer.id);
    assert.equal(rows.length, 50);
    assert.equal(new Set(rows.map((r) => r.user_id)).size, 50, "no member twice");
    // Arrival order: every confirmed registration came before every waiting one, and each
    // waiting registration's rank is its place in the order of arrival.
    const lastConfirmed = Math.max(
      ...rows.filter((r) => r.status === "confirmed").map((r) => Number(r.seq)),
    );
    const waitingRows = rows.filter((r) => r.status === "waitlisted");
    assert.ok(waitingRows.every((r) => Number(r.seq) > lastConfirmed));
    const rankById = new Map(waiting.map((r) => [r.body.id as string, r.body.position as number]));
    assert.deepEqual(
      waitingRows.map((r) => rankById.get(r.id)),
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const stored = await instance.ctx.db
      .selectFrom("offers")
      .select(["places_taken", "capacity"])
      .where("id", "=", offer.id)
      .executeTakeFirstOrThrow();
    assert.equal(stored.places_taken, 10);

    // The same members asking again, all at once: refused, nothing changes.
    const again = await Promise.all(
      members
        .slice(0, 20)
        .map(({ token }) =>
          api()
            .post(`/api/v1/offers/${offer.id}/registrations`)
            .set("Authorization", `Bearer ${token}`)
            .send({ persons: 1 }),
        ),
    );
    for (const res of again) {
      assert.equal(res.status, 409);
      assert.match(res.headers["content-type"] ?? "", /application\/problem\+json/);
      assert.match(res.body.detail, /déjà inscrit/);
    }
    assert.equal((await registrations(offer.id)).length, 50);
  });

  it("cancelling a confirmed place promotes the first waiting registration and tells it", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      capacity: 2,
      title: "Visite du barrage",
    });
    const [a, b, c, d] = members.slice(0, 4);
    for (const who of [a!, b!, c!, d!]) {
      const res = await api()
        .post(`/api/v1/offers/${offer.id}/registrations`)
        .set("Authorization", `Bearer ${who.token}`)
        .send({ persons: 1 });
      assert.equal(res.status, 201);
    }
    const cancel = await api()
      .delete(`/api/v1/offers/${offer.id}/registrations/me`)
      .set("Authorization", `Bearer ${a!.token}`);
    assert.equal(cancel.status, 204);

    const mine = async (who: { token: string }) =>
      (
        await api().get("/api/v1/me/registrations").set("Authorization", `Bearer ${who.token}`)
      ).body.find((r: { offerId: string }) => r.offerId === offer.id);
    assert.equal((await mine(c!)).status, "confirmed", "first waiting promoted");
    assert.equal((await mine(d!)).status, "waitlisted");
    assert.equal((await mine(d!)).position, 1, "the next one moves up");
    assert.equal((await mine(a!)).status, "cancelled");

    const notices = await api()
      .get("/api/v1/notifications")
      .set("Authorization", `Bearer ${c!.token}`);
    const promoted = notices.body.items.find((n: { kind: string }) => n.kind === "offers:promoted");
    assert.ok(promoted, "in-app notification");
    assert.match(promoted.message, /Visite du barrage/);
    const mail = await waitForMail(instance.dataDir, c!.member.email, /place s'est libérée/);
    assert.match(mail.text, new RegExp(`/offers/${offer.id}`));
  });

  it("a freed place goes to the first waiting registration that fits", async () => {
    const offer = await makeOffer(instance, staff.user.id, { capacity: 3 });
    const [a, b, c] = members.slice(10, 13);
    const book = (who: { token: string }, persons: number) =>
      api()
        .post(`/api/v1/offers/${offer.id}/registrations`)
        .set("Authorization", `Bearer ${who.token}`)
        .send({ persons });
    assert.equal((await book(a!, 1)).body.status, "confirmed");
    assert.equal((await book(b!, 3)).body.status, "waitlisted");
    assert.equal((await book(c!, 2)).body.status, "confirmed");
    // a leaves: 1 place free, b (3 persons) does not fit and keeps its rank.
    await api()
      .delete(`/api/v1/offers/${offer.id}/registrations/me`)
      .set("Authorization", `Bearer ${a!.token}`)
      .expect(204);
    const rows = await registrations(offer.id);
    assert.deepEqual(
      rows.map((r) => [r.user_id, r.status]),
      [
        [b!.member.user.id, "waitlisted"],
        [c!.member.user.id, "confirmed"],
      ],
    );
    // c leaves too: 3 free, b fits now.
    await api()
      .delete(`/api/v1/offers/${offer.id}/registrations/me`)
      .set("Authorization", `Bearer ${c!.token}`)
      .expect(204);
    assert.equal((await registrations(offer.id))[0]!.status, "confirmed");
  });
});
