// Event software as it sends live: Mobilizon's Create(Event) (../shared/fixtures/mobilizon, ids
// rewritten to a peer on loopback), sent by the organising person for the group we follow.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { fixturesDir } from "../support/fixtures.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import supertest from "supertest";
import { browser, unescapeHtml } from "../support/web.ts";
import { api, tokenFor, waitFor } from "./harness.ts";

const FIXTURES = fixturesDir("mobilizon");
type Json = Record<string, unknown>;

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
  "base64",
);

describe("federation: events of event software, received live", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let instance: TestInstance;
  let token: string;

  before(async function () {
    if (!FIXTURES) {
      console.log("    (skipped: ../shared/fixtures/mobilizon is absent beside the checkout)");
      this.skip();
    }
    peer = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
    token = await tokenFor(instance, await createMember(instance, "admin"));
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
  });

  /** The fixture as the peer would send it: its ids on the peer. */
  const mobilizon = (name: string): Json =>
    JSON.parse(
      fs
        .readFileSync(path.join(FIXTURES!, name), "utf8")
        .replaceAll("https://mobilizon.fr", peer.url),
    ) as Json;

  it("keeps a group's event sent by its organiser, with Mobilizon's capacity, category, place and price", async () => {
    const groupUri = await peer.actor("/@metacartes", {
      type: "Group",
      preferredUsername: "metacartes",
      name: "Métacartes",
    });
    const organiser = await peer.actor("/@thomas", { type: "Person", preferredUsername: "thomas" });
    const group = await saveRemoteActor(instance.ctx.db, {
      uri: groupUri,
      host: peer.host,
      type: "Group",
      username: "metacartes",
      name: "Métacartes",
      summary: "",
      url: null,
      iconUrl: null,
      inbox: `${groupUri}/inbox`,
      sharedInbox: null,
      outbox: null,
      followersUrl: null,
    });
    await saveFollow(instance.ctx.db, {
      localActor: "cmcas",
      localUserId: null,
      remoteActorId: group.id,
      direction: "outgoing",
      state: "accepted",
      activityId: `${instance.url}/activities/${crypto.randomUUID()}`,
    });

    const create = mobilizon("mobilizon-post-activity.json");
    const event = create.object as Json;
    const start = new Date(Date.now() + 7 * 86_400_000);
    Object.assign(create, { actor: organiser });
    Object.assign(event, {
      attributedTo: groupUri,
      startTime: start.toISOString(),
      endTime: new Date(start.getTime() + 3_600_000).toISOString(),
      maximumAttendeeCapacity: 0,
      remainingAttendeeCapacity: 0,
      category: "THEATRE",
      content: "<p>Entrée : 5 € par personne.</p>",
      // Its picture, as an image attachment beside Mobilizon's links (issue 16 item 8).
      attachment: [
        ...(event.attachment as Json[]),
        {
          type: "Document",
          mediaType: "image/png",
          url: `${peer.url}/media/affiche.png`,
          name: "Affiche du spectacle",
        },
      ],
    });
    peer.files.set("/media/affiche.png", { type: "image/png", body: PNG });
    const res = await peer.post(`${instance.url}/inbox`, create, organiser);
    assert.equal(res.status, 202, await res.text());

    const offer = await waitFor("the event in the catalogue", async () =>
      instance.ctx.db
        .selectFrom("offers as o")
        .innerJoin("offer_categories as c", "c.id", "o.category_id")
        .select(["o.id", "o.capacity", "o.places_taken", "o.address", "o.city", "c.slug"])
        .where("o.remote_uri", "=", event.id as string)
        .executeTakeFirst(),
    );
    assert.equal(offer.slug, "culture");
    assert.equal(offer.address, "Locaux de Framasoft, 10 Rue Jangot");
    assert.equal(offer.city, "Lyon");
    assert.ok(offer.capacity >= 1000, `capacity ${offer.capacity}`);
    assert.equal(offer.places_taken, 0);

    const listed = await api({ url: instance.url } as never, token).get(
      "/offers?origin=remote&from=2018-01-01",
    );
    const item = (listed.body.items as { id: string; territory: { name: string } }[]).find(
      (o) => o.id === offer.id,
    );
    assert.equal(item?.territory.name, "Métacartes");
    const viewer = await createMember(instance);
    const page = await (await loggedIn(instance, viewer)).get(`/offers/${offer.id}`);
    assert.equal(page.status, 200);
    const html = unescapeHtml(page.text);
    assert.ok(!html.includes("Gratuit"), "an event whose text states a price is not shown free");
    assert.ok(html.includes("Voir le descriptif"));
    assert.ok(!/1 place\b/.test(html));
    // Its picture through our own copy, with its alt text; never the peer's URL.
    const src = /<img src="(\/media\/[0-9a-f]{64})" alt="Affiche du spectacle"/.exec(html)?.[1];
    assert.ok(src, "the event's picture is shown through our copy");
    assert.ok(!html.includes(`${peer.url}/media/affiche.png`));
    await waitFor("our copy of the event's picture", async () => {
      const copy = await supertest(instance.url).get(src);
      return copy.status === 200 && copy.headers["content-type"] === "image/webp";
    });
    const catalogue = unescapeHtml((await browser(instance.url).get("/offers?origin=remote")).text);
    assert.ok(catalogue.includes(src), "the card shows it too");
  });
});
