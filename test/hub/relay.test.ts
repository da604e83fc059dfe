// The hub's relay: an instance subscribes from its admin page (a Follow of the relay actor) and
// then receives the members' public offers, and their changes, without following any of them;
// a Mastodon-shaped subscription (a Follow of the public collection, as Mastodon's relay
// settings send it; written from Mastodon's documented behaviour) is accepted and then gets the
// relay's Announces.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import { Follow } from "@fedify/vocab";
import { api, stopNetwork, waitFor, type Network, type Peer } from "../federation/harness.ts";
import { freePort } from "../support/instance.ts";
import { makeOffer } from "../federation/offers-support.ts";
import { adminForm, joinAll, startHubNetwork } from "./support.ts";

type Json = Record<string, unknown>;

const kept = (peer: Peer, uri: string) =>
  peer.instance.ctx.db
    .selectFrom("offers")
    .select(["id", "capacity", "title"])
    .where("remote_uri", "=", uri)
    .executeTakeFirst();

/** A server shaped like a Mastodon instance's relay side: its instance actor and its inbox. */
async function fakeMastodon() {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const { publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
  const received: Json[] = [];
  const actor = {
    "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
    id: `${origin}/actor`,
    type: "Application",
    preferredUsername: "mastodon.internal",
    inbox: `${origin}/actor/inbox`,
    outbox: `${origin}/actor/outbox`,
    endpoints: { sharedInbox: `${origin}/inbox` },
    publicKey: {
      id: `${origin}/actor#main-key`,
      owner: `${origin}/actor`,
      publicKeyPem: publicKey.export({ type: "spki", format: "pem" }),
    },
  };
  const server = http.createServer((req, res) => {
    if (req.method === "GET" && req.url === "/actor") {
      res.writeHead(200, { "content-type": "application/activity+json" });
      return res.end(JSON.stringify(actor));
    }
    if (req.method === "POST") {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push(JSON.parse(Buffer.concat(chunks).toString("utf8")) as Json);
        res.writeHead(202).end();
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { origin, received, close: () => new Promise((r) => server.close(r)) };
}

describe("hub: relay", function () {
  this.timeout(240_000);
  let net: Network;

  before(async () => {
    net = await startHubNetwork();
    await joinAll(net, ["a", "b"]);
    // C is not a member: it trusts the list (so it may fetch the members' offers) and
    // subscribes to the relay.
    const { hub, c } = net;
    await adminForm(c!, "/admin/network", "/admin/network/join", { hubUrl: hub!.url });
    await adminForm(c!, "/admin/network", "/admin/network/trust", { trust: "1" });
  });
  after(() => stopNetwork(net));

  it("relays the members' public offers and their changes to a subscribed instance", async () => {
    const { a, c } = net;
    await adminForm(c!, "/admin/network", "/admin/network/relay");
    await waitFor("the relay to accept C", async () => {
      const page = await (
        await adminForm(c!, "/admin/network", "/admin/network/refresh")
      ).get("/admin/network");
      return page.text.includes("Actif");
    });
    const offer = await makeOffer(a!.instance, a!.admin.user.id, {
      title: "Balade en forêt",
      capacity: 12,
    });
    const uri = `${a!.url}/offers/${offer.id}`;
    const copy = await waitFor("A's offer on C through the relay", () => kept(c!, uri));
    assert.equal(copy.capacity, 12);
    // C follows nobody: the offer came through the relay only.
    const follows = await api(c!).get("/follows?as=cmcas");
    assert.deepEqual(follows.body, []);
    const patched = await api(a!).patch(`/offers/${offer.id}`, { capacity: 20 });
    assert.equal(patched.status, 200, patched.text);
    await waitFor("the change on C", async () => (await kept(c!, uri))?.capacity === 20);
    // Deleted on A (cancelled first, as staff must): gone from C too, through the relay.
    const cancelled = await api(a!).patch(`/offers/${offer.id}`, {
      status: "cancelled",
      cancellationReason: "Météo",
    });
    assert.equal(cancelled.status, 200, cancelled.text);
    const deleted = await api(a!).delete(`/offers/${offer.id}`);
    assert.ok(deleted.status < 300, deleted.text);
    await waitFor("the deletion on C", async () => (await kept(c!, uri)) === undefined);
    // A network offer is not relayed.
    const network = await makeOffer(a!.instance, a!.admin.user.id, {
      title: "Réunion interne",
      visibility: "network",
    });
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal(await kept(c!, `${a!.url}/offers/${network.id}`), undefined);
  });

  it("accepts a Mastodon relay subscription and delivers Announces to it", async () => {
    const { hub, b } = net;
    const mastodon = await fakeMastodon();
    try {
      const text = fs
        .readFileSync(
          new URL("../fixtures/hub/mastodon-relay-follow.json", import.meta.url),
          "utf8",
        )
        .replaceAll("https://mastodon.example", mastodon.origin);
      const payload = JSON.parse(text) as Json;
      const follow = await Follow.fromJsonLd(payload);
      const routes = await hub!.instance.federation.receive(follow, payload);
      assert.deepEqual(routes, ["hub.relay-subscribe"]);
      const accept = await waitFor("the relay's Accept at Mastodon's inbox", async () =>
        mastodon.received.find((a) => a.type === "Accept"),
      );
      assert.equal(accept.actor, `${hub!.url}/users/relay`);
      const object = accept.object as Json | string;
      assert.equal(typeof object === "string" ? object : object.id, payload.id);

      const offer = await makeOffer(b!.instance, b!.admin.user.id, { title: "Concert de jazz" });
      const announce = await waitFor("the relay's Announce at Mastodon's inbox", async () =>
        mastodon.received.find(
          (a) => a.type === "Announce" && a.object === `${b!.url}/offers/${offer.id}`,
        ),
      );
      assert.equal(announce.actor, `${hub!.url}/users/relay`);
    } finally {
      await mastodon.close();
    }
  });
});
