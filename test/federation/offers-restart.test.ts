// Offers across instances, the durable parts: A's Follow of B's CMCAS brings B's upcoming offers
// from its outbox; a Join sent while B is down is retried and answered once B is back.
import assert from "node:assert/strict";
import { api, drain, startNetwork, stopNetwork, waitFor, type Network } from "./harness.ts";
import { DAY } from "../offers/support.ts";
import { countsOf, makeOffer, memberOf, myRegistration, remoteCopy } from "./offers-support.ts";

describe("federation: offers backfill and delivery across a restart", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] }, { persist: ["b"] });
  });
  after(() => stopNetwork(net));

  it("brings B's upcoming offers to A when B accepts A's Follow, current as they are", async () => {
    const { a, b } = net;
    const staff = b!.admin.user.id;
    const soon = await makeOffer(b!.instance, staff, { title: "Concert de printemps" });
    const later = await makeOffer(b!.instance, staff, { title: "Visite du barrage" });
    const start = new Date(Date.now() - 20 * DAY);
    const past = await makeOffer(b!.instance, staff, {
      title: "Brocante d'automne",
      startsAt: start,
      endsAt: new Date(start.getTime() + 3600_000),
    });
    const patched = await api(b!).patch(`/offers/${later.id}`, { capacity: 40 });
    assert.equal(patched.status, 200, patched.text);

    const res = await api(a!).post("/follows", { target: `@cmcas@${b!.host}`, as: "cmcas" });
    assert.equal(res.status, 201, res.text);
    const first = await remoteCopy(a!, b!, soon.id);
    assert.equal(first.title, "Concert de printemps");
    const second = await remoteCopy(a!, b!, later.id);
    assert.equal(second.capacity, 40);
    const stored = await a!.instance.ctx.db
      .selectFrom("offers")
      .select("remote_uri")
      .where("remote_uri", "=", `${b!.url}/offers/${past.id}`)
      .execute();
    assert.equal(stored.length, 0, "ended offers are not backfilled");
  });

  it("retries A's Join while B is down; B books it once back, and A shows it confirmed", async () => {
    const { a, b } = net;
    const offer = await makeOffer(b!.instance, b!.admin.user.id, { title: "Atelier vélo" });
    const copy = await remoteCopy(a!, b!, offer.id);
    const m = await memberOf(a!, true);

    // B stops idle (no job of its own half done), as in an orderly shutdown.
    await drain(a!, b!);
    await b!.instance.stop();
    const sent = await api(a!, m.token).post(`/offers/${copy.id}/registrations`, { persons: 2 });
    assert.equal(sent.status, 202, sent.text);
    await waitFor("A to retry its Join", async () => {
      const d = await a!.instance.ctx.db
        .selectFrom("federation_deliveries")
        .select(["status", "attempts"])
        .where("activity_type", "like", "%#Join")
        .where("host", "=", b!.host)
        .executeTakeFirst();
      return d && d.status === "failing" && d.attempts >= 2;
    });
    assert.equal((await myRegistration(a!, m.token, copy.id))?.status, "pending");

    await b!.restart();
    await waitFor(
      "B's answer on A",
      async () => (await myRegistration(a!, m.token, copy.id))?.status === "confirmed",
      90_000,
    );
    const onB = await countsOf(b!, offer.id);
    assert.equal(onB.confirmed, 2);
    assert.equal(onB.rows.length, 1);
    await drain(a!, b!);
  });
});
