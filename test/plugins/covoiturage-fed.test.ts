// Network rides federate (ADR 0146): a ride marked "visible au réseau" on A reaches B, which
// follows A's CMCAS, and B's matching lists it with A's territory and a link to its page on A; a
// local-only ride stays home; closing the ride on A removes it from B. Switched off, the plugin
// sends (A) and keeps (B) nothing; switched on again, what B held is still there. Two instances
// on loopback, real HTTP.
import assert from "node:assert/strict";
import { Create } from "@fedify/vocab";
import { DateTime } from "luxon";
import { removalOf } from "../../plugins/covoiturage/covoiturage.service.ts";
import { loggedIn } from "../support/accounts.ts";
import { MODE } from "../support/env.ts";
import { submit, unescapeHtml } from "../support/web.ts";
import {
  api,
  drain,
  followCmcas,
  member,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "../federation/harness.ts";

const date = DateTime.now().setZone("Europe/Paris").plus({ days: 9 }).toISODate()!;

interface Match {
  ride: { id: string; territory: string | null; url: string | null; author: string };
}

describe(`plugins: network rides federate (${MODE})`, function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
    for (const peer of [net.a!, net.b!])
      await peer.instance.ctx.modules.setEnabled("covoiturage", true, null);
    await followCmcas(net.b!, net.a!);
  });
  after(() => stopNetwork(net));

  const publish = async (peer: Peer, token: string, fields: Record<string, string>) => {
    const res = await api(peer, token).post("/covoiturage/rides", {
      regular: "once",
      date,
      time: "07:30",
      window: "15",
      ...fields,
    });
    assert.equal(res.status, 201, res.text);
    return res.body.id as string;
  };
  const matches = async (peer: Peer, token: string, rideId: string) => {
    const res = await api(peer, token).get(`/covoiturage/rides/${rideId}/matches`);
    assert.equal(res.status, 200, res.text);
    return res.body as Match[];
  };
  const remoteRows = (peer: Peer) =>
    peer.instance.ctx.db.selectFrom("remote_rides").select(["uri", "territory"]).execute();

  /** What A's CMCAS queued about a ride (the outbox keeps every activity it sends). */
  const sentFor = async (peer: Peer, rideId: string) =>
    (
      await peer.instance.ctx.db
        .selectFrom("federation_outbox")
        .select(["activity_type", "activity"])
        .where("actor", "=", "cmcas")
        .orderBy("created_at")
        .execute()
    )
      .map((row) => ({ type: row.activity_type, text: JSON.stringify(row.activity) }))
      .filter((row) => row.text.includes(`/covoiturage/${rideId}`));
  const rideActivities = async (peer: Peer, rideId: string) =>
    (await sentFor(peer, rideId)).map((row) => row.type);

  it("lists A's network ride in B's matching, never A's local one, until it is closed", async () => {
    const { a, b } = net;
    const driver = await member(a!, false);
    const neighbour = await member(a!, false);
    const rider = await member(b!, false);
    const shared = await publish(a!, driver.token, {
      kind: "offer",
      from: "38000",
      to: "38130",
      network: "on",
    });
    // As good a match, but kept to A.
    const local = await publish(a!, neighbour.token, { kind: "offer", from: "38000", to: "38130" });
    const request = await publish(b!, rider.token, { kind: "request", from: "38000", to: "38130" });

    const sharedUri = `${a!.url}/covoiturage/${shared}`;
    const found = await waitFor("A's ride in B's matching", async () =>
      (await matches(b!, rider.token, request)).find((m) => m.ride.url === sharedUri),
    );
    assert.equal(found.ride.territory, "CMCAS A");
    assert.equal(found.ride.author, "CMCAS A", "no member's name crosses");
    await drain(a!, b!);
    const listed = await matches(b!, rider.token, request);
    assert.equal(listed.length, 1, "the local-only ride never reaches B");
    assert.deepEqual(await remoteRows(b!), [{ uri: sharedUri, territory: "CMCAS A" }]);
    // What travels: communes, postal codes and their centres; never the member.
    assert.deepEqual(await rideActivities(a!, shared), ["Create"]);
    assert.deepEqual(await rideActivities(a!, local), [], "a local ride is never sent");
    const text = (await sentFor(a!, shared))[0]!.text;
    assert.match(text, /"fromPostalCode":"38000"/);
    assert.match(text, /"Document"/);
    assert.doesNotMatch(text, new RegExp(driver.email));
    assert.doesNotMatch(text, /https:\/\/www\.w3\.org\/ns\/activitystreams#Public/);

    // B's member sees it on their ride's page, with the way to contact its author on A.
    const page = unescapeHtml(
      (await (await loggedIn(b!.instance, rider)).get(`/covoiturage/${request}`)).text,
    );
    assert.ok(page.includes(`href="${sharedUri}"`), "the match links to the ride on A");
    assert.match(page, /trajet de la CMCAS A/);
    assert.match(page, /connectez-vous-y/);

    // The driver closes it on A: B forgets it.
    const agent = await loggedIn(a!.instance, driver);
    const closed = await submit(
      agent,
      `/covoiturage/${shared}`,
      `/covoiturage/${shared}/close`,
      {},
    );
    assert.equal(closed.status, 303);
    await waitFor("the ride to leave B", async () => (await remoteRows(b!)).length === 0);
    assert.deepEqual(await matches(b!, rider.token, request), []);
    assert.deepEqual(await rideActivities(a!, shared), ["Create", "Delete"]);
  });

  it("withdraws a ride a moderator removes, and tells it again when restored", async () => {
    const { a, b } = net;
    const driver = await member(a!, false);
    const id = await publish(a!, driver.token, {
      kind: "request",
      from: "38000",
      to: "38130",
      network: "on",
    });
    const uri = `${a!.url}/covoiturage/${id}`;
    const onB = async () => (await remoteRows(b!)).some((r) => r.uri === uri);
    await waitFor("the ride on B", onB);
    // What the moderation routes call (server/moderation/listings.routes.ts).
    const ctx = a!.instance.ctx;
    const moderate = (reason: string | null) =>
      ctx.transaction((tx) => removalOf(ctx.ports.covoiturage)(tx, id, reason));
    await moderate("Annonce commerciale");
    await waitFor("the removed ride to leave B", async () => !(await onB()));
    await moderate(null);
    await waitFor("the restored ride back on B", onB);
    assert.deepEqual(await rideActivities(a!, id), ["Create", "Delete", "Create"]);
  });

  it("refuses a received ride whose fields do not fit, whole", async () => {
    const { a, b } = net;
    const driver = await member(a!, false);
    const id = await publish(a!, driver.token, {
      kind: "offer",
      from: "38000",
      to: "38130",
      network: "on",
    });
    const [sent] = await sentFor(a!, id);
    await waitFor("the ride on B", async () =>
      (await remoteRows(b!)).some((r) => r.uri === `${a!.url}/covoiturage/${id}`),
    );
    // The same Create from A's CMCAS, as B's inbox would get it, for another ride with 99 seats
    // and one placed at latitude 200.
    const fed = b!.instance.federation.context();
    const loaders = { documentLoader: fed.documentLoader, contextLoader: fed.contextLoader };
    const bad = async (change: Record<string, unknown>) => {
      const payload = JSON.parse(sent!.text) as Record<string, unknown>;
      const uri = `${a!.url}/covoiturage/${crypto.randomUUID()}`;
      payload.id = `${a!.url}/activities/${crypto.randomUUID()}`;
      payload.object = { ...(payload.object as object), id: uri, url: uri, ...change };
      const took = await b!.instance.federation.receive(
        await Create.fromJsonLd(payload, loaders),
        payload,
      );
      assert.deepEqual(took, ["covoiturage.ride"]);
      return uri;
    };
    const refused = [await bad({ seats: 99 }), await bad({ fromLatitude: 200 })];
    const held = (await remoteRows(b!)).map((r) => r.uri);
    assert.ok(held.includes(`${a!.url}/covoiturage/${id}`));
    for (const uri of refused) assert.ok(!held.includes(uri), `${uri} is not kept`);
  });

  it("switched off, sends and keeps nothing; switched on again, keeps what it held", async () => {
    const { a, b } = net;
    const driver = await member(a!, false);
    const rider = await member(b!, false);
    const request = await publish(b!, rider.token, { kind: "request", from: "38000", to: "38130" });
    const kept = await publish(a!, driver.token, {
      kind: "offer",
      from: "38000",
      to: "38130",
      network: "on",
    });
    const keptUri = `${a!.url}/covoiturage/${kept}`;
    const held = async () => (await remoteRows(b!)).map((r) => r.uri).sort();
    await waitFor("the first ride on B", async () => (await held()).includes(keptUri));
    const heldBefore = await held();

    // B off: A's next network ride is delivered but not kept.
    await b!.instance.ctx.modules.setEnabled("covoiturage", false, null);
    const whileOff = await publish(a!, driver.token, {
      kind: "offer",
      from: "38000",
      to: "38130",
      time: "07:40",
      network: "on",
    });
    const sentWhileOff = await rideActivities(a!, whileOff);
    assert.deepEqual(sentWhileOff, ["Create"], "A, still on, sends it");
    await drain(a!, b!);
    assert.deepEqual(await held(), heldBefore, "nothing kept while off");
    await b!.instance.ctx.modules.setEnabled("covoiturage", true, null);
    const back = (await matches(b!, rider.token, request)).map((m) => m.ride.url);
    assert.ok(back.includes(keptUri), "what B held is kept and matched again");
    assert.ok(!back.includes(`${a!.url}/covoiturage/${whileOff}`));

    // A off: closing a ride (its author leaves) sends nothing.
    await a!.instance.ctx.modules.setEnabled("covoiturage", false, null);
    const res = await api(a!, driver.token).delete("/me", { password: driver.password });
    assert.ok(res.status < 300, `closing the account: ${res.status} ${res.text}`);
    await drain(a!, b!);
    const closedRows = await a!.instance.ctx.db
      .selectFrom("rides")
      .select("status")
      .where("id", "in", [kept, whileOff])
      .execute();
    assert.deepEqual(
      closedRows.map((r) => r.status),
      ["closed", "closed"],
    );
    assert.deepEqual(await rideActivities(a!, kept), ["Create"], "no Delete while off");
    assert.deepEqual(await held(), heldBefore, "B still holds the ride: no Delete came");
    await a!.instance.ctx.modules.setEnabled("covoiturage", true, null);
  });
});
