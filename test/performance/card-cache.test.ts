// Rendered offer cards kept by content (ADR 0158): members' catalogue pages reuse the cards,
// yet a change of anything a card shows gives a new card at once, with no invalidation to miss.
import assert from "node:assert/strict";
import pg from "pg";
import supertest from "supertest";
import { driverOf } from "../../server/db/database.ts";
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { FragmentCache } from "../../server/lib/fragment-cache.ts";
import { cancelOffer } from "../../server/offers/offers.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { createMember, loggedIn, type Member } from "../support/accounts.ts";
import type { Agent } from "../support/web.ts";
import { unescapeHtml } from "../support/web.ts";
import { MODE } from "../support/env.ts";
import { makeOffer } from "../offers/support.ts";

/** The SQL statements sent while `work` runs (the pg clients' or the embedded database's). */
async function statements(instance: TestInstance, work: () => Promise<unknown>): Promise<string[]> {
  const sent: string[] = [];
  const record = (text: unknown) => {
    const sql = typeof text === "string" ? text : (text as { text?: string } | null)?.text;
    if (sql) sent.push(sql);
  };
  const { pglite } = driverOf(instance.ctx.db);
  if (pglite) {
    const query = pglite.query.bind(pglite);
    pglite.query = ((sql: string, ...rest: unknown[]) => {
      record(sql);
      return (query as (...a: unknown[]) => unknown)(sql, ...rest);
    }) as typeof pglite.query;
    try {
      await work();
    } finally {
      delete (pglite as { query?: unknown }).query;
    }
    return sent;
  }
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const query = proto.query;
  proto.query = function (this: unknown, text: unknown, ...rest: unknown[]) {
    record(text);
    return query.call(this, text, ...rest);
  };
  try {
    await work();
  } finally {
    proto.query = query;
  }
  return sent;
}

/** The card of one offer on a page, as sent. */
function cardOf(html: string, id: string): string | undefined {
  return html.split("<article").find((piece) => piece.includes(`href="/offers/${id}"`));
}

describe(`performance: offer cards kept by content (${MODE})`, () => {
  let instance: TestInstance;
  let staff: Member;
  let alice: Member;
  let bob: Member;
  let aliceAgent: Agent;
  let bobAgent: Agent;

  before(async () => {
    instance = await startTestInstance();
    staff = await createMember(instance, "staff");
    alice = await createMember(instance, "member", "alice");
    bob = await createMember(instance, "member", "bob");
    aliceAgent = await loggedIn(instance, alice);
    bobAgent = await loggedIn(instance, bob);
  });
  after(() => instance.destroy());

  const page = async (agent: Agent, path = "/offers") => {
    const res = await agent.get(path);
    assert.equal(res.status, 200, res.text);
    return res.text;
  };

  it("keeps at most its size, dropping the least recently used", () => {
    const cache = new FragmentCache(2);
    cache.set("a", "A");
    cache.set("b", "B");
    assert.equal(cache.get("a"), "A");
    cache.set("c", "C");
    assert.equal(cache.get("b"), undefined);
    assert.equal(cache.get("a"), "A");
    assert.equal(cache.get("c"), "C");
    assert.equal(cache.size, 2);
    const off = new FragmentCache(0);
    off.set("a", "A");
    assert.equal(off.get("a"), undefined);
  });

  it("renders a member's cards once and serves the same HTML after", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Randonnée au Vercors" });
    const first = await page(aliceAgent);
    const hits = instance.ctx.fragments.hits;
    const second = await page(aliceAgent);
    assert.ok(instance.ctx.fragments.hits > hits, "the second page used the kept card");
    assert.equal(cardOf(second, offer.id), cardOf(first, offer.id));
    assert.match(unescapeHtml(cardOf(second, offer.id) ?? ""), /Randonnée au Vercors/);
  });

  it("shows an edited offer at once, even when the edit goes around the services", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Visite du barrage" });
    assert.match(unescapeHtml(cardOf(await page(aliceAgent), offer.id) ?? ""), /Visite du barrage/);
    await instance.ctx.db
      .updateTable("offers")
      .set({ title: "Visite de la centrale", updated_at: new Date() })
      .where("id", "=", offer.id)
      .execute();
    const card = unescapeHtml(cardOf(await page(aliceAgent), offer.id) ?? "");
    assert.match(card, /Visite de la centrale/);
    assert.doesNotMatch(card, /Visite du barrage/);
    // A renamed category changes no offer, yet every card showing it.
    await instance.ctx.db
      .updateTable("offer_categories")
      .set({ name_fr: "Loisirs et plein air" })
      .where("slug", "=", "loisirs")
      .execute();
    // Categories are read through a 30-second cache: the card follows what the query reads.
    assert.match(
      unescapeHtml(cardOf(await page(aliceAgent), offer.id) ?? ""),
      /Loisirs et plein air/,
    );
  });

  it("shows the places left at once after a registration", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      title: "Cours de voile",
      capacity: 5,
    });
    assert.match(unescapeHtml(cardOf(await page(aliceAgent), offer.id) ?? ""), /5 places/);
    const token = (await issueApiToken(instance.ctx.db, bob.user.id, "t")).token;
    await supertest(instance.url)
      .post(`/api/v1/offers/${offer.id}/registrations`)
      .set("Authorization", `Bearer ${token}`)
      .send({ persons: 2 })
      .expect(201);
    const card = unescapeHtml(cardOf(await page(aliceAgent), offer.id) ?? "");
    assert.match(card, /3 places/);
    assert.doesNotMatch(card, /5 places/);
  });

  it("never lists a cancelled offer, on the catalogue, the last-minute list or the home page", async () => {
    const offer = await makeOffer(instance, staff.user.id, {
      title: "Concert annulé bientôt",
      startsAt: new Date(Date.now() + 2 * 86_400_000),
      endsAt: new Date(Date.now() + 2 * 86_400_000 + 3600_000),
    });
    for (const path of ["/offers", "/offers/last-minute", "/"])
      assert.ok(cardOf(await page(aliceAgent, path), offer.id), `${path} lists it first`);
    const cancelled = await instance.ctx.transaction((tx) =>
      cancelOffer(tx, bookingDeps(instance.ctx), offer.id, "Météo"),
    );
    assert.ok(cancelled.ok);
    for (const path of ["/offers", "/offers/last-minute", "/"]) {
      const html = await page(aliceAgent, path);
      assert.equal(cardOf(html, offer.id), undefined, `${path} still lists it`);
      assert.doesNotMatch(unescapeHtml(html), /Concert annulé bientôt/);
    }
  });

  it("shows nothing of one member on the card another member gets", async () => {
    const offer = await makeOffer(instance, staff.user.id, { title: "Atelier cuisine" });
    const token = (await issueApiToken(instance.ctx.db, alice.user.id, "t")).token;
    await supertest(instance.url)
      .post(`/api/v1/offers/${offer.id}/registrations`)
      .set("Authorization", `Bearer ${token}`)
      .send({ persons: 1 })
      .expect(201);
    // Alice's page renders the card first; Bob gets the kept one.
    const aliceCard = cardOf(await page(aliceAgent), offer.id);
    const bobCard = cardOf(await page(bobAgent), offer.id);
    assert.ok(aliceCard);
    assert.equal(bobCard, aliceCard);
    for (const card of [aliceCard, bobCard]) {
      const text = unescapeHtml(card ?? "");
      assert.doesNotMatch(text, /inscrit/i);
      assert.ok(!text.includes(alice.displayName), "Alice's name is not on the card");
    }
  });

  it("reads the offers table once for a catalogue page, its count included", async () => {
    await makeOffer(instance, staff.user.id, { title: "Balade à vélo" });
    await page(aliceAgent); // the short caches (categories, territories) are warm
    const sent = await statements(instance, () => page(aliceAgent, "/offers?q=velo"));
    const offers = sent.filter((sql) => /"offers"/.test(sql));
    assert.equal(offers.length, 1, offers.join("\n---\n"));
  });
});
