// Our offers as FEP-8a8e Events: served at the offer's URL by content negotiation, readable by
// Fedify's vocabulary and by a JSON-LD processor (contexts served offline), published to the
// CMCAS's outbox, and answered with a Tombstone once deleted.
import assert from "node:assert/strict";
import { Create, Event, Tombstone } from "@fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";
import jsonld from "jsonld";
import supertest from "supertest";
import { deleteOffer, cancelOffer } from "../../server/offers/offers.service.ts";
import { createMember } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { makeOffer } from "../offers/support.ts";
import { readRemoteEvent } from "../../federation/offers/remote-offers.ts";
import type { RemoteActor } from "../../federation/actors/remote.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";

const AS = "application/activity+json";

describe("federation: offers as Events", function () {
  this.timeout(120_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance?.destroy());

  it("serves a published offer as an Event with Mobilizon's fields, and HTML to browsers", async () => {
    const staff = await createMember(instance, "staff");
    const offer = await makeOffer(instance, staff.user.id, {
      capacity: 12,
      minAge: 8,
      maxAge: 14,
      latitude: 45.19,
      longitude: 5.72,
    });
    const res = await supertest(instance.url).get(`/offers/${offer.id}`).set("accept", AS);
    assert.equal(res.status, 200, res.text);
    const json = JSON.parse(res.text) as Record<string, unknown>;
    assert.equal(json.type, "Event");
    assert.equal(json.id, `${instance.url}/offers/${offer.id}`);
    assert.equal(json.maximumAttendeeCapacity, 12);
    assert.equal(json.remainingAttendeeCapacity, 12);
    assert.equal(json.timezone, "Europe/Paris");
    assert.equal(json.joinMode, "free");
    assert.equal(json.category, "loisirs");
    assert.equal(json.typicalAgeRange, "8-14");
    assert.equal(json.anonymousParticipationEnabled, false);
    const location = json.location as { type: string; address: Record<string, string> };
    assert.equal(location.type, "Place");
    assert.equal(location.address.addressLocality, "Grenoble");
    assert.equal(location.address.postalCode, "38000");

    // Fedify's vocabulary reads it, a JSON-LD processor expands it without the network.
    const runtime = instance.federation;
    const ctx = runtime.context();
    const event = await Event.fromJsonLd(json, { contextLoader: ctx.contextLoader });
    assert.equal(event.name?.toString(), "Sortie au lac");
    assert.equal(event.startTime?.epochMilliseconds, offer.startsAt.getTime());
    const preloaded = getDocumentLoader();
    const expanded = await jsonld.expand(json, {
      documentLoader: async (url: string) => {
        const doc = await preloaded(url);
        return { contextUrl: undefined, documentUrl: doc.documentUrl, document: doc.document };
      },
    });
    const node = expanded[0] as Record<string, { "@value"?: unknown }[]>;
    assert.equal(node["http://schema.org#maximumAttendeeCapacity"]?.[0]?.["@value"], 12);
    assert.equal(node["https://joinmobilizon.org/ns#timezone"]?.[0]?.["@value"], "Europe/Paris");

    const page = await supertest(instance.url)
      .get(`/offers/${offer.id}`)
      .set("accept", "text/html");
    assert.equal(page.status, 200);
    assert.match(page.headers["content-type"] ?? "", /text\/html/);
  });

  it("carries the price bands and audiences, read back into the same bands by another instance", async () => {
    const staff = await createMember(instance, "staff");
    const offer = await makeOffer(instance, staff.user.id, {
      priceTiers: [
        { upTo: 800, price: 450 },
        { upTo: null, price: 1200 },
      ],
      audiences: ["familles", "jeunes"],
    });
    const res = await supertest(instance.url).get(`/offers/${offer.id}`).set("accept", AS);
    const json = JSON.parse(res.text) as Record<string, unknown>;
    assert.deepEqual(json.offers, [
      { type: "Offer", price: "4.50", priceCurrency: "EUR", quotientUpTo: 800 },
      { type: "Offer", price: "12.00", priceCurrency: "EUR" },
    ]);
    assert.deepEqual(json.audiences, ["familles", "jeunes"]);
    assert.equal(json.isAccessibleForFree, false);
    // The terms expand to schema.org's offers and price, so other software reads them as such.
    const preloaded = getDocumentLoader();
    const expanded = await jsonld.expand(json, {
      documentLoader: async (url: string) => {
        const doc = await preloaded(url);
        return { contextUrl: undefined, documentUrl: doc.documentUrl, document: doc.document };
      },
    });
    const node = expanded[0] as Record<string, Record<string, { "@value"?: unknown }[]>[]>;
    assert.equal(
      node["http://schema.org#offers"]?.[0]?.["http://schema.org#price"]?.[0]?.["@value"],
      "4.50",
    );

    const actor = `${instance.url}/users/cmcas`;
    const read = readRemoteEvent(json, {
      uri: actor,
      host: new URL(instance.url).host,
    } as RemoteActor);
    assert.ok(read);
    assert.equal(read.values.price_tiers, '[{"upTo":800,"price":450},{"upTo":null,"price":1200}]');
    assert.deepEqual(read.values.audiences, ["familles", "jeunes"]);
    // Bands out of order or another currency: the price is unknown, not wrong.
    const odd = readRemoteEvent(
      { ...json, offers: [{ type: "Offer", price: "3", priceCurrency: "USD" }] },
      { uri: actor, host: new URL(instance.url).host } as RemoteActor,
    );
    assert.equal(odd?.values.price_tiers, "[]");
    assert.deepEqual(odd?.values.audiences, ["familles", "jeunes"]);
  });

  it("lists the Create in the CMCAS outbox, and a deleted offer answers a Tombstone", async () => {
    const staff = await createMember(instance, "staff");
    const offer = await makeOffer(instance, staff.user.id, { title: "Atelier poterie" });
    const outbox = await supertest(instance.url).get("/users/cmcas/outbox").set("accept", AS);
    const first = new URL(outbox.body.first as string);
    const page = await supertest(instance.url)
      .get(first.pathname + first.search)
      .set("accept", AS);
    const ctx = instance.federation.context();
    const items = await Promise.all(
      (page.body.orderedItems as unknown[]).map((i) =>
        Create.fromJsonLd(i, { contextLoader: ctx.contextLoader }),
      ),
    );
    assert.ok(items.some((c) => c.objectId?.href === `${instance.url}/offers/${offer.id}`));

    const deps = bookingDeps(instance.ctx);
    await instance.ctx.transaction((tx) => cancelOffer(tx, deps, offer.id, "Météo"));
    const cancelled = await supertest(instance.url).get(`/offers/${offer.id}`).set("accept", AS);
    assert.equal(cancelled.body["ical:status"], "CANCELLED");
    const deleted = await instance.ctx.transaction((tx) => deleteOffer(tx, deps, offer.id));
    assert.ok(deleted.ok);
    const gone = await supertest(instance.url).get(`/offers/${offer.id}`).set("accept", AS);
    const tombstone = await Tombstone.fromJsonLd(gone.body, { contextLoader: ctx.contextLoader });
    assert.equal(tombstone.id?.href, `${instance.url}/offers/${offer.id}`);
    const types = await instance.ctx.db
      .selectFrom("federation_outbox")
      .select("activity_type")
      .where("activity_id", "is not", null)
      .orderBy("id")
      .execute();
    assert.deepEqual(types.map((t) => t.activity_type).slice(-3), ["Create", "Update", "Delete"]);
  });
});
