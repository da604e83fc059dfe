// Aggregates shared with the hub (ADR 0125), on a network of a hub and three CMCAS over loopback:
// a member whose admin agreed serves its monthly aggregates to the hub's signed GET, and the hub
// shows them; a member that has not agreed serves nothing and nothing of it reaches the hub; no
// cell below 5 persons leaves a member; an unsigned reader is refused; withdrawing consent makes
// the hub forget that member's figures at the next collection.
import assert from "node:assert/strict";
import supertest from "supertest";
import { stopNetwork, type Network, type Peer } from "../federation/harness.ts";
import { unescapeHtml } from "../support/web.ts";
import { makeOffer } from "../offers/support.ts";
import { adminForm, joinAll, startHubNetwork } from "./support.ts";

/** Registrations from another territory, written as the cross-instance booking leaves them. */
async function register(peer: Peer, offerId: string, persons: number, status: string) {
  await peer.instance.ctx.db
    .insertInto("offer_registrations")
    .values({
      offer_id: offerId,
      actor_url: `https://elsewhere.example/users/${persons}-${status}-${offerId.slice(0, 8)}`,
      actor_name: "Quelqu'un d'ailleurs",
      actor_instance: "elsewhere.example",
      persons,
      status: status as "confirmed" | "waitlisted",
    })
    .execute();
}

async function seed(peer: Peer): Promise<string> {
  const full = await makeOffer(peer.instance, peer.admin.user.id, { category: "loisirs" });
  await register(peer, full.id, 6, "waitlisted");
  const other = await makeOffer(peer.instance, peer.admin.user.id, { category: "ateliers" });
  await register(peer, other.id, 3, "confirmed");
  return full.startsAt.toISOString().slice(0, 7);
}

describe("hub: aggregates shared with the admin's consent", function () {
  this.timeout(240_000);
  let net: Network;
  let month: string;

  before(async () => {
    net = await startHubNetwork();
    await joinAll(net, ["a", "b"]);
    month = await seed(net.a!);
    await seed(net.b!);
  });
  after(() => stopNetwork(net));

  const sharedOnHub = () =>
    net
      .hub!.instance.ctx.db.selectFrom("hub_shared_aggregates")
      .select(["host", "month", "category", "measure", "value"])
      .execute();
  const collect = () => adminForm(net.hub!, "/admin/hub", "/admin/hub/collect");

  it("shares nothing until the admin agrees", async () => {
    const page = await (
      await adminForm(net.a!, "/admin/network", "/admin/network/refresh")
    ).get("/admin/network");
    assert.match(unescapeHtml(page.text), /ne partage pas ses agrégats/);
    await collect();
    assert.deepEqual(await sharedOnHub(), []);
    const own = await supertest(net.a!.url).get("/hub/aggregates");
    assert.equal(own.status, 404);
  });

  it("gives an agreeing member's aggregates to the hub only, without small cells", async () => {
    await adminForm(net.a!, "/admin/network", "/admin/network/share", { share: "1" });
    // Anyone else (unsigned) is refused.
    const unsigned = await supertest(net.a!.url).get("/hub/aggregates");
    assert.equal(unsigned.status, 401);
    await collect();
    const rows = await sharedOnHub();
    assert.ok(rows.length > 0);
    assert.ok(
      rows.every((r) => r.host === net.a!.host),
      "nothing of b, which did not agree",
    );
    assert.deepEqual(
      rows.filter((r) => r.month === month && r.measure !== "forumPosts"),
      [{ host: net.a!.host, month, category: "loisirs", measure: "waitlisted", value: 6 }],
      "6 waitlisted kept; 3 persons from elsewhere left out",
    );
    assert.ok(rows.every((r) => r.value >= 5));
    const page = await supertest(net.hub!.url).get("/hub/observatory");
    assert.match(unescapeHtml(page.text), /Personnes en liste d'attente/);
    const json = await supertest(net.hub!.url).get("/hub/observatory/shared.json");
    assert.equal(json.body.rows.length, rows.length);
    assert.deepEqual(
      (json.body.schema.fields as { name: string }[]).map((f) => f.name),
      ["host", "month", "category", "measure", "value"],
    );
    const csv = await supertest(net.hub!.url).get("/hub/observatory/shared.csv");
    assert.equal(csv.status, 200);
    assert.match(csv.headers["content-type"] ?? "", /text\/csv/);
    const lines = csv.text.trim().split("\n");
    assert.equal(lines[0], "host,month,category,measure,value");
    assert.ok(lines.includes(`${net.a!.host},${month},loisirs,waitlisted,6`), csv.text);
    const dataset = await supertest(net.hub!.url).get("/hub/observatory/dataset.jsonld");
    const urls = (
      JSON.parse(dataset.text)["dcat:distribution"] as Record<string, { "@id": string }>[]
    ).map((d) => d["dcat:downloadURL"]?.["@id"]);
    assert.ok(urls.includes(`${net.hub!.url}/hub/observatory/shared.csv`), urls.join(" "));
  });

  it("forgets a member's figures once its admin withdraws consent", async () => {
    await adminForm(net.a!, "/admin/network", "/admin/network/share", { share: "0" });
    await collect();
    assert.deepEqual(await sharedOnHub(), []);
  });
});
