// Microblogging software following our CMCAS (issue 16 item 14): it drops `Event`s, so when the
// administrator asks for it each public offer also goes out as a short public Note (title, dates,
// place, link), deleted when the offer is cancelled. A peer on loopback plays a Mastodon server.
import assert from "node:assert/strict";
import supertest from "supertest";
import { cancelOffer, updateOffer } from "../../server/offers/offers.service.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { createMember } from "../support/accounts.ts";
import { FakePeer, type Received } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { makeOffer, offerInput } from "../offers/support.ts";
import { followCmcas, startNetwork, stopNetwork, waitFor, type Network } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";
type Json = Record<string, unknown>;

describe("federation: offers as short notes for microblog followers", function () {
  this.timeout(120_000);
  let mastodon: FakePeer;
  let instance: TestInstance;
  let staffId: string;
  let earlier: string;

  before(async () => {
    mastodon = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: mastodon.host },
    });
    staffId = (await createMember(instance, "staff")).user.id;
    const bob = await mastodon.actor("/users/bob", { type: "Person", preferredUsername: "bob" });
    const res = await mastodon.post(
      `${instance.url}/inbox`,
      {
        "@context": AS,
        id: `${bob}#follow-${crypto.randomUUID()}`,
        type: "Follow",
        actor: bob,
        object: `${instance.url}/users/cmcas`,
      },
      bob,
    );
    assert.equal(res.status, 202, await res.text());
    await waitFor("the CMCAS's Accept", async () =>
      mastodon.received.some((r) => r.body?.type === "Accept"),
    );
  });
  after(async () => {
    await instance?.destroy();
    await mastodon?.close();
  });

  const objectOf = (r: Received) => r.body?.object as Json | string | undefined;
  const received = (type: string, objectId: string) =>
    waitFor(`${type} of ${objectId}`, async () =>
      mastodon.received.find((r) => {
        const object = objectOf(r);
        const id = typeof object === "string" ? object : object?.id;
        return r.body?.type === type && id === objectId;
      }),
    );
  const outboxTypes = async (offerId: string) =>
    (
      await instance.ctx.db
        .selectFrom("federation_outbox")
        .select(["activity_type", "activity"])
        .where("actor", "=", "cmcas")
        .execute()
    ).filter((row) => JSON.stringify(row.activity).includes(offerId));

  it("sends only the Event while the setting is off (its default)", async () => {
    assert.equal(instance.ctx.modules.settings("offers").microblogNotes, false);
    const offer = await makeOffer(instance, staffId, { title: "Balade en forêt" });
    earlier = offer.id;
    await received("Create", `${instance.url}/offers/${offer.id}`);
    const sent = await outboxTypes(offer.id);
    assert.equal(sent.length, 1);
    assert.ok(!JSON.stringify(sent).includes(`/offers/${offer.id}/note`));
  });

  it("also sends a public Note with the dates, the place and the link, and deletes it on cancellation", async () => {
    const saved = await instance.ctx.modules.saveSettings("offers", { microblogNotes: "on" }, null);
    assert.ok(saved.ok);
    // The offer published while the setting was off gets its note now (a job after the save).
    const late = objectOf(await received("Create", `${instance.url}/offers/${earlier}/note`));
    assert.match(String((late as Json).content), /Balade en forêt/);
    const start = new Date("2031-07-12T07:00:00Z");
    const offer = await makeOffer(instance, staffId, {
      title: "Atelier <vannerie>",
      startsAt: start,
      endsAt: new Date(start.getTime() + 8 * 3600_000),
    });
    const page = `${instance.url}/offers/${offer.id}`;
    const noteId = `${page}/note`;
    await received("Create", page);
    const create = await received("Create", noteId);
    const note = objectOf(create) as Json;
    assert.equal(note.type, "Note");
    assert.equal(note.url, page);
    assert.equal(note.attributedTo, `${instance.url}/users/cmcas`);
    assert.deepEqual([note.to].flat(), [`${AS}#Public`]);
    const content = String(note.content);
    assert.match(content, /Atelier &lt;vannerie&gt;/);
    assert.match(content, new RegExp(`<a href="${page}">`));
    // 07:00 UTC in July is 09:00 in Paris, the instance's time zone.
    assert.match(content, /12 juillet 2031/);
    assert.match(content, /09:00/);
    assert.match(content, /Base de loisirs, 38000 Grenoble/);
    // Other Maillage instances know it for the offer's note and keep the Event only.
    assert.equal(note.noteOf, page);

    await instance.ctx.transaction((tx) =>
      cancelOffer(tx, bookingDeps(instance.ctx), offer.id, "Météo"),
    );
    const deleted = await received("Delete", noteId);
    assert.equal(deleted.body!.actor, `${instance.url}/users/cmcas`);
    // The Event itself is updated as cancelled, not deleted.
    const update = await received("Update", page);
    assert.equal((objectOf(update) as Json)["ical:status"], "CANCELLED");
    // Its id answers that it is gone.
    const gone = await fetchAs(noteId);
    assert.equal(gone.status, 410, gone.text);
    assert.equal(gone.body.type, "Tombstone");
  });

  const fetchAs = (url: string, accept = "application/activity+json") =>
    supertest(instance.url)
      .get(new URL(url).pathname)
      .set("accept", accept)
      .buffer(true)
      .parse((res, done) => {
        let text = "";
        res.on("data", (chunk: Buffer) => (text += chunk.toString()));
        res.on("end", () => done(null, text ? JSON.parse(text) : {}));
      });

  it("serves the note at its id while the offer is public, and deletes it when it stops being", async () => {
    const offer = await makeOffer(instance, staffId, { title: "Concert au parc" });
    const page = `${instance.url}/offers/${offer.id}`;
    const noteId = `${page}/note`;
    const create = await received("Create", noteId);
    for (const accept of [
      "application/activity+json",
      'application/ld+json; profile="https://www.w3.org/ns/activitystreams"',
    ]) {
      const served = await fetchAs(noteId, accept);
      assert.equal(served.status, 200, served.text);
      assert.equal(served.body.type, "Note");
      assert.equal(served.body.id, noteId);
      assert.equal(served.body.content, (objectOf(create) as Json).content);
      assert.equal(served.body.noteOf, page);
    }
    const head = await supertest(instance.url)
      .head(new URL(noteId).pathname)
      .set("accept", "application/activity+json");
    assert.equal(head.status, 200);
    // A browser is sent to the offer's page.
    const browser = await supertest(instance.url).get(new URL(noteId).pathname);
    assert.equal(browser.status, 303);
    assert.equal(browser.headers.location, `/offers/${offer.id}`);

    // Made visible to the network only: the note goes from microblog followers' servers.
    const input = await offerInput(instance, { title: "Concert au parc", visibility: "network" });
    const updated = await instance.ctx.transaction((tx) =>
      updateOffer(tx, bookingDeps(instance.ctx), offer.id, input),
    );
    assert.ok(updated.ok);
    const deleted = await received("Delete", noteId);
    assert.equal(deleted.body!.actor, `${instance.url}/users/cmcas`);
    assert.equal((await fetchAs(noteId)).status, 410);

    // An offer that never had a note, and an unknown one: not found.
    const network = await makeOffer(instance, staffId, { visibility: "network" });
    assert.equal((await fetchAs(`${instance.url}/offers/${network.id}/note`)).status, 404);
    assert.equal((await fetchAs(`${instance.url}/offers/${crypto.randomUUID()}/note`)).status, 404);
  });
});

describe("federation: another Maillage instance keeps the Event, not the offer's note", function () {
  this.timeout(120_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
  });
  after(() => stopNetwork(net));

  it("shows B's offer on A and keeps no note of B's CMCAS for it", async () => {
    const a = net.a!;
    const b = net.b!;
    await followCmcas(a, b);
    const saved = await b.instance.ctx.modules.saveSettings(
      "offers",
      { microblogNotes: "on" },
      null,
    );
    assert.ok(saved.ok);
    const offer = await makeOffer(b.instance, b.admin.user.id, { title: "Visite du barrage" });
    const noteId = `${b.url}/offers/${offer.id}/note`;
    // Delivered to A (its CMCAS follows B's), after the Event.
    await waitFor("B's note delivered to A", async () => {
      const row = await b.instance.ctx.db
        .selectFrom("federation_deliveries as d")
        .innerJoin("federation_outbox as o", "o.activity_id", "d.activity_id")
        .select(["d.status", "o.activity"])
        .where("d.host", "=", a.host)
        .execute();
      return row.some(
        (r) => JSON.stringify(r.activity).includes(noteId) && r.status === "delivered",
      );
    });
    await waitFor("the offer on A", async () =>
      a.instance.ctx.db
        .selectFrom("offers")
        .select("id")
        .where("remote_uri", "=", `${b.url}/offers/${offer.id}`)
        .executeTakeFirst(),
    );
    const notes = await a.instance.ctx.db
      .selectFrom("federation_remote_notes")
      .select("uri")
      .where("uri", "=", noteId)
      .execute();
    assert.deepEqual(notes, []);
  });
});
