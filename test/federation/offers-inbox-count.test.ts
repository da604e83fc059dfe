// A followed publisher's Create(Event) through the offers' inbox routes, counted (issue 15: the
// inbox's cost per offer): its sender is read with whether we follow it, then a new offer is
// kept in one statement, without a transaction around it. An actor we do not follow gets
// nothing kept.
import assert from "node:assert/strict";
import { Create } from "@fedify/vocab";
import type { RemoteActor } from "../../federation/actors/remote.ts";
import type { FederationRuntime } from "../../federation/deps.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { inboxDispatcher } from "../../federation/inbox/dispatch.ts";
import { offersInbox } from "../../federation/offers/offers.inbox.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { storedOrganization } from "../support/remote-actors.ts";
import { counting, countStatements } from "../support/statements.ts";

const HOST = "cmcas-savoie.example";

describe("federation: a publisher's Create(Event), counted", function () {
  this.timeout(60_000);
  let instance: TestInstance;
  let runtime: FederationRuntime;
  let followed: RemoteActor;
  let stranger: RemoteActor;

  const actor = (username: string) => storedOrganization(instance.ctx.db, HOST, username);

  before(async () => {
    instance = await startTestInstance({ env: { FEDERATION_ALLOWED_DOMAINS: HOST } });
    runtime = instance.federation;
    followed = await actor("cmcas");
    stranger = await actor("inconnu");
    await saveFollow(instance.ctx.db, {
      localActor: "cmcas",
      localUserId: null,
      remoteActorId: followed.id,
      direction: "outgoing",
      state: "accepted",
      activityId: `${instance.url}/follows/${crypto.randomUUID()}`,
    });
  });
  after(() => instance?.destroy());

  /** Dispatches `by`'s Create(Event) to the offers' routes; the statements read outside the
   * offer's transaction, and inside it. */
  async function receive(by: RemoteActor, id: string, name = "Sortie raquettes") {
    const reads = counting(runtime.app.db);
    let writes: string[] = [];
    let transactions = 0;
    const app = {
      ...runtime.app,
      db: reads.db,
      transaction: <T>(work: Parameters<typeof runtime.app.transaction<T>>[0]) =>
        runtime.app.transaction((tx) => {
          transactions++;
          const counted = countStatements(tx);
          writes = counted.kinds;
          return work(counted.tx);
        }),
    };
    const dispatch = inboxDispatcher(
      { ...runtime, app },
      offersInbox.map((route) => ({ module: "offers", route })),
    );
    // Next year's 15 January, 9:00 UTC: ahead whatever the day and hour of the run.
    const start = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 15, 9));
    const payload = {
      "@context": "https://www.w3.org/ns/activitystreams",
      id: `https://${HOST}/activities/${id}`,
      type: "Create",
      actor: by.uri,
      to: ["https://www.w3.org/ns/activitystreams#Public"],
      object: {
        id: `https://${HOST}/offers/${id}`,
        type: "Event",
        attributedTo: by.uri,
        name,
        content: "<p>Départ du parking.</p>",
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + 3 * 3600_000).toISOString(),
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        category: "sport",
      },
    };
    const fed = runtime.context();
    const create = await Create.fromJsonLd(payload, fed);
    const took = await dispatch(fed, create, payload);
    return { took, reads: reads.kinds, writes, transactions };
  }

  const kept = (id: string) =>
    instance.ctx.db
      .selectFrom("offers")
      .select(["title", "remote_actor_id"])
      .where("remote_uri", "=", `https://${HOST}/offers/${id}`)
      .executeTakeFirst();

  it("reads the sender with whether we follow it in one statement, then keeps a new offer in one, without a transaction", async () => {
    const { took, reads, writes, transactions } = await receive(followed, "raquettes");
    assert.deepEqual(took, ["offers.event"]);
    // Before: the sender, then a second select for its follow; then a begin, the insert and a
    // commit.
    assert.deepEqual(reads, ["select", "insert"]);
    assert.equal(transactions, 0);
    assert.deepEqual(writes, []);
    assert.deepEqual(await kept("raquettes"), {
      title: "Sortie raquettes",
      remote_actor_id: followed.id,
    });
  });

  it("refreshes an offer kept already in a transaction", async () => {
    const { took, reads, writes, transactions } = await receive(
      followed,
      "raquettes",
      "Sortie raquettes au clair de lune",
    );
    assert.deepEqual(took, ["offers.event"]);
    // The insert that finds the offer there, then its refresh, locked, in a transaction.
    assert.deepEqual(reads, ["select", "insert"]);
    assert.equal(transactions, 1);
    assert.deepEqual(writes, ["select", "update"]);
    assert.deepEqual(await kept("raquettes"), {
      title: "Sortie raquettes au clair de lune",
      remote_actor_id: followed.id,
    });
  });

  it("keeps nothing from an actor we do not follow", async () => {
    const { took, reads, writes } = await receive(stranger, "inconnue");
    assert.deepEqual(took, ["offers.event"]);
    assert.deepEqual(reads, ["select"]);
    assert.deepEqual(writes, []);
    assert.equal(await kept("inconnue"), undefined);
  });
});
