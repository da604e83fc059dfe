// Event payloads of other software (../shared/fixtures/mobilizon, read in place): a Mobilizon
// Create(Event) and a Gancio event are kept and shown in the catalogue with their territory; a
// Mobilizon Join and Leave book and cancel a place on one of our offers.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { Application, Create, Join, Leave } from "@fedify/vocab";
import { getDocumentLoader } from "@fedify/vocab-runtime";
import {
  remoteActorFromVocab,
  saveRemoteActor,
  type RemoteActorInput,
} from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import type { FederationRuntime } from "../../federation/runtime.ts";
import { createMember } from "../support/accounts.ts";
import { fixturesDir } from "../support/fixtures.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { makeOffer } from "../offers/support.ts";
import { api, tokenFor } from "./harness.ts";

const AS_CONTEXT = "https://www.w3.org/ns/activitystreams";
const FIXTURES = fixturesDir("mobilizon");
const LITEPUB = "https://litepub.social/litepub/context.jsonld";

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES!, name), "utf8")) as Record<string, unknown>;
}

describe("federation: event payloads of Mobilizon and Gancio", function () {
  this.timeout(120_000);
  let instance: TestInstance;
  let runtime: FederationRuntime;
  let token: string;

  before(async function () {
    if (!FIXTURES) {
      console.log("    (skipped: ../shared/fixtures/mobilizon is absent beside the checkout)");
      this.skip();
    }
    instance = await startTestInstance({
      env: { FEDERATION_ALLOWED_DOMAINS: "mobilizon.fr,demo.gancio.org,mobilizon2.test" },
    });
    runtime = instance.federation;
    const admin = await createMember(instance, "admin");
    token = await tokenFor(instance, admin);
  });
  after(() => instance?.destroy());

  /** Offline parsing. Mobilizon's payloads name the LitePub context, which Fedify does not
   * preload: a stand-in without terms is served for it (their inline context has the terms). */
  const loaders = () => {
    const preloaded = getDocumentLoader();
    const loader = async (url: string) =>
      url === LITEPUB
        ? { contextUrl: null, documentUrl: url, document: { "@context": {} } }
        : preloaded(url);
    return { documentLoader: loader, contextLoader: loader };
  };

  const followed = async (input: RemoteActorInput) => {
    const actor = await saveRemoteActor(instance.ctx.db, input);
    await saveFollow(instance.ctx.db, {
      localActor: "cmcas",
      localUserId: null,
      remoteActorId: actor.id,
      direction: "outgoing",
      state: "accepted",
      activityId: `${instance.url}/activities/${crypto.randomUUID()}`,
    });
    return actor;
  };

  const person = (uri: string, name: string): RemoteActorInput => ({
    uri,
    host: new URL(uri).host,
    type: "Person",
    username: name,
    name,
    summary: "",
    url: null,
    iconUrl: null,
    inbox: `${uri}/inbox`,
    sharedInbox: null,
    outbox: null,
    followersUrl: null,
  });

  const catalogue = async () =>
    (await api({ url: instance.url } as never, token).get("/offers?origin=remote&from=2018-01-01"))
      .body.items as {
      title: string;
      location: { city: string };
      territory: { name: string; host: string };
    }[];

  it("keeps a Mobilizon Create(Event) and shows it with its address and territory", async () => {
    const create = await Create.fromJsonLd(fixture("mobilizon-post-activity.json"), loaders());
    const group = await followed({
      ...person("https://mobilizon.fr/@metacartes", "metacartes"),
      type: "Group",
      name: "Métacartes",
    });
    assert.ok(group);
    assert.deepEqual(await runtime.receive(create), ["offers.event"]);
    const item = (await catalogue()).find((o) => o.title === "My first event");
    assert.ok(item, "the Mobilizon event is in the catalogue");
    assert.equal(item.location.city, "Lyon");
    assert.deepEqual(item.territory, {
      name: "Métacartes",
      host: "mobilizon.fr",
      uri: "https://mobilizon.fr/events/39a0c4a6-f2b6-41dc-bbe2-fc5bff76cc93",
      url: "https://mobilizon.fr/events/39a0c4a6-f2b6-41dc-bbe2-fc5bff76cc93",
    });
  });

  it("keeps a Gancio event, published by its Application actor", async () => {
    const actor = await Application.fromJsonLd(fixture("gancio-actor.json"), loaders());
    const input = await remoteActorFromVocab(actor);
    assert.ok(input);
    const gancio = await followed(input);
    // The fixture leaves out the ActivityStreams context Gancio sends it with: without it, the
    // activity has no actor to check. Fedify cannot decode all of it (relative tag links): the
    // inbox reads the rest (the place) from the payload as received.
    const payload = { "@context": AS_CONTEXT, ...fixture("gancio-event-activity.json") };
    const create = await Create.fromJsonLd(payload, loaders());
    assert.ok(gancio);
    assert.deepEqual(await runtime.receive(create, payload), ["offers.event"]);
    const item = (await catalogue()).find((o) => o.title === "Demo event");
    assert.ok(item, "the Gancio event is in the catalogue");
    assert.equal(item.location.city, "Colosseo");
    assert.equal(item.territory.host, "demo.gancio.org");
  });

  it("books a place for a Mobilizon Join on our offer, and frees it on Leave", async () => {
    const staff = await createMember(instance, "staff");
    const offer = await makeOffer(instance, staff.user.id, { title: "Journée pêche" });
    const ours = `${instance.url}/offers/${offer.id}`;
    // The payloads name an event of mobilizon.test: here they are aimed at our offer.
    const join = await Join.fromJsonLd(
      { ...fixture("mobilizon-join-activity.json"), object: ours },
      loaders(),
    );
    const participant = await saveRemoteActor(
      instance.ctx.db,
      person("http://mobilizon2.test/@admin", "admin"),
    );
    assert.ok(participant);
    assert.deepEqual(await runtime.receive(join), ["offers.join"]);
    const registration = () =>
      instance.ctx.db
        .selectFrom("offer_registrations")
        .select(["status", "persons", "actor_url", "actor_name", "actor_instance", "user_id"])
        .where("offer_id", "=", offer.id)
        .executeTakeFirstOrThrow();
    assert.deepEqual(await registration(), {
      status: "confirmed",
      persons: 1,
      actor_url: "http://mobilizon2.test/@admin",
      actor_name: "admin",
      actor_instance: "mobilizon2.test",
      user_id: null,
    });
    const answer = await instance.ctx.db
      .selectFrom("federation_outbox")
      .select(["activity_type", "activity", "recipients"])
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    assert.equal(answer.activity_type, "Accept");
    assert.deepEqual(answer.recipients, ["http://mobilizon2.test/@admin"]);
    assert.equal(
      (answer.activity as { object: { id: string } }).object.id,
      "http://mobilizon2.test/@admin/join/event/1",
    );

    const leave = await Leave.fromJsonLd(
      { ...fixture("mobilizon-leave-activity.json"), object: ours },
      loaders(),
    );
    assert.deepEqual(await runtime.receive(leave), ["offers.leave"]);
    assert.equal((await registration()).status, "cancelled");
    const page = await api({ url: instance.url } as never, token).get(`/offers/${offer.id}`);
    assert.equal(page.body.placesLeft, 10);
  });
});
