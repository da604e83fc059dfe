// The hub aggregates its members' offers: an offer published before the member joined arrives by
// the backfill of its outbox, later ones by their Create; changes, places left and cancellations
// follow; the hub admin page shows what has arrived per member.
import assert from "node:assert/strict";
import { api, stopNetwork, waitFor, type Network, type Peer } from "../federation/harness.ts";
import { loggedIn } from "../support/accounts.ts";
import { unescapeHtml } from "../support/web.ts";
import { makeOffer, memberOf } from "../federation/offers-support.ts";
import { joinAll, startHubNetwork } from "./support.ts";
import { backfillProgress } from "../../federation/follows/backfills.ts";

async function onHub(hub: Peer, publisher: Peer, offerId: string) {
  return hub.instance.ctx.db
    .selectFrom("offers")
    .select(["id", "capacity", "places_taken", "status", "title", "visibility"])
    .where("remote_uri", "=", `${publisher.url}/offers/${offerId}`)
    .executeTakeFirst();
}

describe("hub: aggregation of the members' offers", function () {
  this.timeout(240_000);
  let net: Network;
  let early: { id: string };

  before(async () => {
    net = await startHubNetwork();
    // Published before A joins: only the backfill can bring it.
    early = await makeOffer(net.a!.instance, net.a!.admin.user.id, { title: "Fête de l'hiver" });
    await joinAll(net, ["a", "b"]);
  });
  after(() => stopNetwork(net));

  it("backfills a new member's upcoming offers and shows the progress", async () => {
    const { hub, a } = net;
    const copy = await waitFor("the early offer on the hub", () => onHub(hub!, a!, early.id));
    assert.equal(copy.title, "Fête de l'hiver");
    const page = await (await loggedIn(hub!.instance, hub!.admin)).get("/admin/hub");
    const text = unescapeHtml(page.text);
    assert.match(text, /Suivie — 1 offre à venir reçue/);
    // The reading of A's outbox is over: every offer found there was read.
    await waitFor("the backfill to finish", async () => {
      const row = await hub!.instance.ctx.db
        .selectFrom("federation_backfills")
        .select(["total", "done", "finished_at"])
        .where("kind", "=", "offers")
        .executeTakeFirst();
      return row?.finished_at ? row : undefined;
    });
    const admin = await loggedIn(hub!.instance, hub!.admin);
    assert.match(
      unescapeHtml((await admin.get("/admin/hub")).text),
      /Historique lu : 1 offre trouvée/,
    );
    // While a reading is under way, the page shows the share read so far.
    const row = await hub!.instance.ctx.db
      .selectFrom("federation_backfills")
      .select("remote_actor_id")
      .executeTakeFirstOrThrow();
    const progress = backfillProgress(hub!.instance.ctx.db, row.remote_actor_id, "offers");
    await progress.start(20);
    await progress.advance(9);
    assert.match(
      unescapeHtml((await admin.get("/admin/hub")).text),
      /Historique : 45 % lu \(9 offres sur 20\)/,
    );
    await progress.finish(20);
  });

  it("keeps new offers, their changes, places left and cancellations current", async () => {
    const { hub, b } = net;
    const offer = await makeOffer(b!.instance, b!.admin.user.id, {
      title: "Atelier poterie",
      capacity: 10,
    });
    const network = await makeOffer(b!.instance, b!.admin.user.id, {
      title: "Réunion des bénévoles",
      visibility: "network",
    });
    await waitFor("B's offers on the hub", async () => {
      const [x, y] = [await onHub(hub!, b!, offer.id), await onHub(hub!, b!, network.id)];
      return x && y;
    });
    assert.equal((await onHub(hub!, b!, network.id))!.visibility, "network");

    const patched = await api(b!).patch(`/offers/${offer.id}`, { capacity: 25 });
    assert.equal(patched.status, 200, patched.text);
    await waitFor("the new capacity on the hub", async () => {
      return (await onHub(hub!, b!, offer.id))?.capacity === 25;
    });

    // B sends an Update when an offer becomes full (or has places again): the hub shows it full.
    const small = await makeOffer(b!.instance, b!.admin.user.id, { title: "Visite", capacity: 3 });
    await waitFor("the small offer on the hub", () => onHub(hub!, b!, small.id));
    const member = await memberOf(b!, false);
    const booked = await api(b!, member.token).post(`/offers/${small.id}/registrations`, {
      persons: 3,
    });
    assert.equal(booked.status, 201, booked.text);
    await waitFor("the offer full on the hub", async () => {
      return (await onHub(hub!, b!, small.id))?.places_taken === 3;
    });

    const cancelled = await api(b!).patch(`/offers/${offer.id}`, {
      status: "cancelled",
      cancellationReason: "Salle indisponible",
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    await waitFor("the cancellation on the hub", async () => {
      return (await onHub(hub!, b!, offer.id))?.status === "cancelled";
    });
  });
});
