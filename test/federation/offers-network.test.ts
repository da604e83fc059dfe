// Done-when of offers across instances, on three instances: A and B allow each other, C is
// allowed by nobody. A follows B's CMCAS; B's offers, their changes and cancellation show on A;
// A's members book B's offers under B's rules, with the same counts on both sides.
import assert from "node:assert/strict";
import supertest from "supertest";
import { api, drain, startNetwork, stopNetwork, waitFor, type Network } from "./harness.ts";
import { loggedIn } from "../support/accounts.ts";
import { submit, unescapeHtml } from "../support/web.ts";
import { messageParticipants } from "../../server/offers/notices.service.ts";
import { removeByStaff } from "../../server/offers/registrations.service.ts";
import { countsOf, makeOffer, memberOf, myRegistration, remoteCopy } from "./offers-support.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";

describe("federation: offers across instances", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"], c: ["a", "b"] });
    const { a, b, c } = net;
    for (const peer of [a!, c!]) {
      const res = await api(peer).post("/follows", { target: `@cmcas@${b!.host}`, as: "cmcas" });
      assert.equal(res.status, 201, res.text);
    }
    await waitFor("B to accept A's follow", async () =>
      ((await api(a!).get("/follows?as=cmcas")).body as { state: string }[]).some(
        (f) => f.state === "accepted",
      ),
    );
  });
  after(() => stopNetwork(net));

  it("shows B's offer on A, then its new capacity, then its cancellation; C gets nothing", async () => {
    const { a, b, c } = net;
    const offer = await makeOffer(b!.instance, b!.admin.user.id, {
      title: "Randonnée au Vercors",
      capacity: 10,
    });
    const copy = await remoteCopy(a!, b!, offer.id);
    assert.equal(copy.capacity, 10);
    assert.equal(copy.origin, "remote");
    assert.equal(copy.territory?.name, "CMCAS B");
    assert.equal(copy.territory?.host, b!.host);
    const filtered = await api(a!).get(`/offers?territory=${encodeURIComponent(b!.host)}`);
    assert.deepEqual(
      (filtered.body.items as { id: string }[]).map((o) => o.id),
      [copy.id],
    );
    const local = await api(a!).get("/offers?origin=local");
    assert.equal(local.body.items.length, 0);
    const month = offer.startsAt.toISOString().slice(0, 7);
    const calendar = await supertest(a!.url).get(`/offers/calendar?month=${month}&origin=remote`);
    assert.ok(
      unescapeHtml(calendar.text).includes(
        'Randonnée au Vercors</a> <span class="muted">(CMCAS B)',
      ),
      "the calendar marks the territory",
    );

    const patched = await api(b!).patch(`/offers/${offer.id}`, { capacity: 25 });
    assert.equal(patched.status, 200, patched.text);
    await waitFor("A to show the new capacity", async () => {
      const res = await api(a!).get(`/offers/${copy.id}`);
      return res.body.capacity === 25;
    });

    const cancelled = await api(b!).patch(`/offers/${offer.id}`, {
      status: "cancelled",
      cancellationReason: "Météo",
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    await waitFor("A to show the offer cancelled", async () => {
      const res = await api(a!).get(`/offers/${copy.id}`);
      return res.body.status === "cancelled";
    });
    const page = await api(a!).get(`/offers/${copy.id}`);
    assert.equal(page.body.status, "cancelled");

    // C asked to follow too: B's inbox refused it, and C never receives B's offers.
    const refused = await waitFor("B to refuse C's Follow", async () => {
      const row = await c!.instance.ctx.db
        .selectFrom("federation_deliveries")
        .select(["last_error", "status"])
        .where("host", "=", b!.host)
        .executeTakeFirst();
      return row?.last_error ? row : undefined;
    });
    assert.match(refused.last_error!, /403/);
    const toC = await b!.instance.ctx.db
      .selectFrom("federation_deliveries")
      .select("id")
      .where("host", "=", c!.host)
      .execute();
    assert.equal(toC.length, 0);
    const onC = await c!.instance.ctx.db
      .selectFrom("offers")
      .select("id")
      .where("remote_uri", "is not", null)
      .execute();
    assert.equal(onC.length, 0);
  });

  it("books 12 members of A on 10 places of B: 10 confirmed, 2 waiting, then a promotion", async () => {
    const { a, b } = net;
    const offer = await makeOffer(b!.instance, b!.admin.user.id, {
      title: "Spectacle de cirque",
      capacity: 10,
    });
    const copy = await remoteCopy(a!, b!, offer.id);
    const members = await Promise.all(Array.from({ length: 12 }, () => memberOf(a!, true)));
    const sent = await Promise.all(
      members.map((m) => api(a!, m.token).post(`/offers/${copy.id}/registrations`, { persons: 1 })),
    );
    for (const res of sent) {
      assert.equal(res.status, 202, res.text);
      assert.equal(res.body.status, "pending");
    }
    await waitFor("every answer on A", async () => (await countsOf(a!, copy.id)).pending === 0);
    const onA = await countsOf(a!, copy.id);
    const onB = await countsOf(b!, offer.id);
    assert.deepEqual([onA.confirmed, onA.waitlisted], [10, 2]);
    assert.deepEqual([onB.confirmed, onB.waitlisted], [10, 2]);
    const actors = onB.rows.map((r) => r.actor_url);
    assert.equal(new Set(actors).size, 12, "no duplicate registration");
    await waitFor("A to show the offer full", async () => {
      const res = await api(a!).get(`/offers/${copy.id}`);
      return res.body.placesLeft === 0;
    });
    const mine = await myRegistration(a!, members[0]!.token, copy.id);
    assert.ok(mine && ["confirmed", "waitlisted"].includes(mine.status));

    // The first one waiting on B is promoted when a confirmed member of A cancels.
    const firstWaiting = await b!.instance.ctx.db
      .selectFrom("offer_registrations")
      .select("actor_url")
      .where("offer_id", "=", offer.id)
      .where("status", "=", "waitlisted")
      .orderBy("seq")
      .executeTakeFirstOrThrow();
    const promoted = members.find((m) => firstWaiting.actor_url!.endsWith(`/users/${m.user.id}`))!;
    assert.equal((await myRegistration(a!, promoted.token, copy.id))?.status, "waitlisted");
    let leaving: (typeof members)[number] | undefined;
    for (const m of members)
      if ((await myRegistration(a!, m.token, copy.id))?.status === "confirmed") {
        leaving = m;
        break;
      }
    const left = await api(a!, leaving!.token).delete(`/offers/${copy.id}/registrations/me`);
    assert.equal(left.status, 204, left.text);
    await waitFor("A to hear of the promotion", async () => {
      const r = await myRegistration(a!, promoted.token, copy.id);
      return r?.status === "confirmed";
    });
    await drain(a!, b!);
    const afterA = await countsOf(a!, copy.id);
    const afterB = await countsOf(b!, offer.id);
    assert.deepEqual([afterA.confirmed, afterA.waitlisted], [10, 1]);
    assert.deepEqual([afterB.confirmed, afterB.waitlisted], [10, 1]);

    // B's staff see who came from A (name, instance, persons) and can write to them.
    const list = await api(b!).get(`/offers/${offer.id}/registrations`);
    const fromA = (list.body as { name: string; instance: string; persons: number }[]).find(
      (r) => r.name === promoted.displayName,
    );
    assert.deepEqual(fromA && [fromA.instance, fromA.persons], [a!.host, 1]);
    const told = await b!.instance.ctx.transaction((tx) =>
      messageParticipants(tx, bookingDeps(b!.instance.ctx), {
        offerId: offer.id,
        senderId: b!.admin.user.id,
        body: "Rendez-vous à 19 h devant le chapiteau.",
        includeWaitlist: false,
      }),
    );
    assert.equal(told, 10);
    const notice = await waitFor("the message on A", () =>
      a!.instance.ctx.db
        .selectFrom("notifications")
        .select(["kind", "data", "link"])
        .where("user_id", "=", promoted.user.id)
        .where("kind", "=", "offers:message")
        .executeTakeFirst(),
    );
    assert.match(JSON.stringify(notice.data), /devant le chapiteau/);
    assert.equal(notice.link, `/offers/${copy.id}`);

    // Staff of B remove that participant by hand: A shows the registration refused.
    const row = await b!.instance.ctx.db
      .selectFrom("offer_registrations")
      .select("id")
      .where("offer_id", "=", offer.id)
      .where("actor_url", "=", firstWaiting.actor_url)
      .executeTakeFirstOrThrow();
    const removed = await b!.instance.ctx.transaction((tx) =>
      removeByStaff(tx, bookingDeps(b!.instance.ctx), offer.id, row.id),
    );
    assert.ok(removed.ok);
    const gone = await waitFor("A to hear of the removal", async () => {
      const r = await myRegistration(a!, promoted.token, copy.id);
      return r?.status === "rejected" ? r : undefined;
    });
    assert.equal(gone.reasonCode, "removed_by_staff");
  });

  it("refuses by B's age and window rules, with the reason shown on A", async () => {
    const { a, b } = net;
    const offer = await makeOffer(b!.instance, b!.admin.user.id, {
      title: "Soirée œnologie",
      minAge: 18,
    });
    const copy = await remoteCopy(a!, b!, offer.id);
    const young = await memberOf(a!, true);
    const res = await api(a!, young.token).post(`/offers/${copy.id}/registrations`, {
      persons: 1,
      birthYear: new Date().getFullYear() - 12,
    });
    assert.equal(res.status, 202, res.text);
    const refused = await waitFor("B's Reject", async () => {
      const r = await myRegistration(a!, young.token, copy.id);
      return r?.status === "rejected" ? r : undefined;
    });
    assert.equal(refused.reasonCode, "too_young");
    const youngPage = unescapeHtml(
      (await (await loggedIn(a!.instance, young)).get(`/offers/${copy.id}`)).text,
    );
    assert.ok(youngPage.includes("Inscription refusée"), "the refusal is on the offer page");
    assert.ok(youngPage.includes("au moins 18 ans"), "with B's reason");

    // From the offer page: pending, then confirmed once B answers.
    const adult = await memberOf(a!, true);
    const agent = await loggedIn(a!.instance, adult);
    const posted = await submit(agent, `/offers/${copy.id}`, `/offers/${copy.id}/register`, {
      self: "on",
      birthYear: new Date().getFullYear() - 30,
    });
    assert.equal(posted.status, 303, posted.text);
    await waitFor("the confirmation on A's page", async () =>
      unescapeHtml((await agent.get(`/offers/${copy.id}`)).text).includes("Vous êtes inscrit"),
    );
    // B's booking window: not open yet.
    const later = await makeOffer(b!.instance, b!.admin.user.id, {
      title: "Stage de voile",
      registrationOpensAt: new Date(Date.now() + 3 * 86_400_000),
    });
    const laterCopy = await remoteCopy(a!, b!, later.id);
    const early = await api(a!, young.token).post(`/offers/${laterCopy.id}/registrations`, {
      persons: 1,
    });
    assert.equal(early.status, 202, early.text);
    const notOpen = await waitFor("B's Reject of the early Join", async () => {
      const r = await myRegistration(a!, young.token, laterCopy.id);
      return r?.status === "rejected" ? r : undefined;
    });
    assert.equal(notOpen.reasonCode, "not_yet_open");
    assert.match((notOpen as { reason?: string }).reason ?? "", /ouvrent le/);

    // A member who is not listed books all the same (ADR 0087; test/federation/unlisted.test.ts).
    const hidden = await memberOf(a!, false);
    const notListed = await api(a!, hidden.token).post(`/offers/${copy.id}/registrations`, {
      persons: 1,
    });
    assert.equal(notListed.status, 202, notListed.text);
  });
});
