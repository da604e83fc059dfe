// A publisher's Event kept in the catalogue: a new one in one write (issue 15: the inbox's cost
// per offer), a known one refreshed by its publisher only.
import assert from "node:assert/strict";
import type { RemoteActor } from "../../federation/actors/remote.ts";
import { readRemoteEvent } from "../../federation/offers/remote-offers.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { saveRemoteOffer } from "../../server/offers/remote-offers.service.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { storedOrganization } from "../support/remote-actors.ts";
import { countStatements } from "../support/statements.ts";

const HOST = "cmcas-savoie.example";

describe("offers: a publisher's Event kept in the catalogue", () => {
  let instance: TestInstance;
  let publisher: RemoteActor;
  let other: RemoteActor;

  const actor = (username: string) => storedOrganization(instance.ctx.db, HOST, username);

  before(async () => {
    instance = await startTestInstance();
    publisher = await actor("cmcas");
    other = await actor("autre");
  });
  after(() => instance?.destroy());

  const event = (id: string, name: string, by: RemoteActor, category = "sport") => {
    // Next year's 15 January, 9:00 UTC: ahead whatever the day and hour of the run.
    const start = new Date(Date.UTC(new Date().getUTCFullYear() + 1, 0, 15, 9));
    const read = readRemoteEvent(
      {
        id: `https://${HOST}/offers/${id}`,
        type: "Event",
        attributedTo: by.uri,
        name,
        content: "<p>Départ du parking.</p>",
        startTime: start.toISOString(),
        endTime: new Date(start.getTime() + 3 * 3600_000).toISOString(),
        to: ["https://www.w3.org/ns/activitystreams#Public"],
        maximumAttendeeCapacity: 10,
        category,
      },
      by,
    );
    assert.ok(read, "the Event is read");
    const { picture: _picture, ...kept } = read;
    return kept;
  };
  const save = (
    by: RemoteActor,
    id: string,
    name: string,
    category?: string,
    before?: (tx: Tx) => Promise<unknown>,
  ) =>
    instance.ctx.transaction(async (tx) => {
      await before?.(tx);
      const counted = countStatements(tx);
      const offerId = await saveRemoteOffer(
        counted.tx,
        { publicUrl: instance.ctx.config.publicUrl },
        by.id,
        event(id, name, by, category),
      );
      return { offerId, kinds: counted.kinds };
    });
  const category = async (offerId: string) =>
    (
      await instance.ctx.db
        .selectFrom("offers as o")
        .innerJoin("offer_categories as c", "c.id", "o.category_id")
        .select("c.slug")
        .where("o.id", "=", offerId)
        .executeTakeFirstOrThrow()
    ).slug;
  const title = async (offerId: string) =>
    (
      await instance.ctx.db
        .selectFrom("offers")
        .select("title")
        .where("id", "=", offerId)
        .executeTakeFirstOrThrow()
    ).title;

  it("keeps a new offer in one statement, its category read by the insert", async () => {
    const { offerId, kinds } = await save(publisher, "raquettes", "Sortie raquettes");
    // Before: the category read first, and before that a locking read of the id.
    assert.deepEqual(kinds, ["insert"]);
    assert.equal(await title(offerId), "Sortie raquettes");
    assert.equal(await category(offerId), "sport");
  });

  it("files an offer of an unknown or missing category under the fallback, loisirs", async () => {
    assert.equal(
      await category((await save(publisher, "yoga", "Yoga", "bien-etre")).offerId),
      "loisirs",
    );
    assert.equal(await category((await save(publisher, "peche", "Pêche", "")).offerId), "loisirs");
  });

  it("refuses an offer clearly when no category exists at all, fallback included", async () => {
    // Every category renamed inside the transaction, which the refusal rolls back.
    const renamed = (tx: Tx) =>
      tx.db
        .updateTable("offer_categories")
        .set((eb) => ({ slug: eb("slug", "||", "-x") }))
        .execute();
    await assert.rejects(save(publisher, "voile", "Voile", "sport", renamed), {
      message: "no category to file remote offers under",
    });
    // Nothing kept, the categories as they were.
    const kept = await instance.ctx.db
      .selectFrom("offers")
      .select("id")
      .where("remote_uri", "=", `https://${HOST}/offers/voile`)
      .executeTakeFirst();
    assert.equal(kept, undefined);
    const { offerId } = await save(publisher, "voile", "Voile");
    assert.equal(await category(offerId), "sport");
  });

  it("refreshes a known offer when its publisher sends it again", async () => {
    const first = await save(publisher, "ski", "Ski de fond");
    const again = await save(publisher, "ski", "Ski de fond (complet)");
    assert.equal(again.offerId, first.offerId);
    assert.equal(await title(first.offerId), "Ski de fond (complet)");
    // Its category changed too, read by the update as by the insert.
    await save(publisher, "ski", "Ski de fond", "montagne-inconnue");
    assert.equal(await category(first.offerId), "loisirs");
  });

  it("leaves another publisher's offer with that id alone", async () => {
    const first = await save(publisher, "luge", "Luge");
    const taken = await save(other, "luge", "Luge détournée");
    assert.equal(taken.offerId, first.offerId);
    assert.equal(await title(first.offerId), "Luge");
  });
});
