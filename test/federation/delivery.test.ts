import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { verifyJsonLd, verifyObject } from "@fedify/fedify";
import { Create, Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import supertest from "supertest";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { publishToFollowers } from "../../federation/outbox.ts";
import { actorUri, newActivityId } from "../../federation/uris.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import {
  api,
  deliveryOf,
  noteKept,
  publishNote,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "./harness.ts";

interface HostState {
  host: string;
  pending: number;
  failing: number;
  dead: number;
  delivered: number;
  lastError: string | null;
}

/** A remote inbox that answers with a chosen status and keeps what it receives. */
async function startSink() {
  const sink = {
    status: 202,
    received: [] as { headers: http.IncomingHttpHeaders; body: Record<string, unknown> }[],
    server: http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        sink.received.push({
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
        });
        res.writeHead(sink.status).end();
      });
    }),
    host: "",
  };
  await new Promise<void>((resolve) => sink.server.listen(0, "127.0.0.1", resolve));
  sink.host = `127.0.0.1:${(sink.server.address() as AddressInfo).port}`;
  return sink;
}

/** A follower of A's CMCAS on the sink's host, as if it had followed. */
async function followFrom(peer: Peer, host: string) {
  const remote = await saveRemoteActor(peer.instance.ctx.db, {
    uri: `http://${host}/actor`,
    host,
    type: "Application",
    username: "sink",
    name: "Sink",
    summary: "",
    url: null,
    iconUrl: null,
    inbox: `http://${host}/inbox`,
    sharedInbox: null,
    outbox: null,
    followersUrl: null,
  });
  await saveFollow(peer.instance.ctx.db, {
    localActor: "cmcas",
    localUserId: null,
    remoteActorId: remote.id,
    direction: "incoming",
    state: "accepted",
    activityId: `http://${host}/follows/1`,
  });
}

async function hostState(peer: Peer, host: string): Promise<HostState | undefined> {
  const res = await api(peer).get("/admin/federation/deliveries");
  assert.equal(res.status, 200);
  return (res.body as HostState[]).find((h) => h.host === host);
}

describe("federation: deliveries", function () {
  this.timeout(180_000);
  let net: Network;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] }, { persist: ["b"] });
  });
  after(() => stopNetwork(net));

  it("retries while the target instance is down and delivers once it is back", async () => {
    const { a, b } = net;
    const follow = await api(b!).post("/follows", { target: `@cmcas@${a!.host}`, as: "cmcas" });
    assert.equal(follow.status, 201, follow.text);
    await waitFor("B to follow A", async () =>
      ((await api(b!).get("/follows?as=cmcas")).body as { state: string }[]).some(
        (f) => f.state === "accepted",
      ),
    );

    await b!.instance.stop();
    const { noteId, activityId } = await publishNote(a!, "pendant la panne");
    const failing = await waitFor("A to retry its delivery to B", async () => {
      const d = await deliveryOf(a!, activityId, b!.host);
      return d && d.status === "failing" && d.attempts >= 2 ? d : undefined;
    });
    assert.ok(failing.last_error);
    assert.equal((await hostState(a!, b!.host))?.failing, 1);

    await b!.restart();
    const kept = await waitFor("B to receive the note", () => noteKept(b!, noteId), 60_000);
    assert.match(kept.content, /pendant la panne/);
    const done = await waitFor("the delivery to be marked delivered", async () => {
      const d = await deliveryOf(a!, activityId, b!.host);
      return d?.status === "delivered" ? d : undefined;
    });
    assert.ok(done.attempts >= 3, `attempts: ${done.attempts}`);
  });

  it("marks a refused delivery dead, and an admin can retry it", async () => {
    const { a } = net;
    const sink = await startSink();
    try {
      sink.status = 410;
      const allow = await api(a!).post("/admin/federation/domains", {
        domain: sink.host,
        policy: "allow",
      });
      assert.equal(allow.status, 200);
      await followFrom(a!, sink.host);

      const { activityId } = await publishNote(a!, "vers le puits");
      const dead = await waitFor("the delivery to die (410 Gone)", async () => {
        const d = await deliveryOf(a!, activityId, sink.host);
        return d?.status === "dead" ? d : undefined;
      });
      assert.match(dead.last_error ?? "", /410/);
      const state = await hostState(a!, sink.host);
      assert.equal(state?.dead, 1);

      sink.status = 202;
      const retry = await api(a!).post("/admin/federation/deliveries/retry", {
        domain: sink.host,
      });
      assert.equal(retry.status, 200);
      assert.equal(retry.body.retried, 1);
      await waitFor("the retried delivery", async () => {
        const d = await deliveryOf(a!, activityId, sink.host);
        return d?.status === "delivered";
      });
      // What arrived is signed (HTTP signature) and carries an FEP-8b32 proof.
      const last = sink.received.at(-1)!;
      assert.ok(last.headers["signature"] || last.headers["signature-input"]);
      assert.equal(last.body.type, "Create");
      assert.equal((last.body.proof as { cryptosuite?: string })?.cryptosuite, "eddsa-jcs-2022");

      // Failing deliveries to an instance blocked meanwhile are refused, never sent.
      sink.status = 503;
      const second = await publishNote(a!, "encore");
      await waitFor("the delivery to fail", async () => {
        const d = await deliveryOf(a!, second.activityId, sink.host);
        return d?.status === "failing";
      });
      const received = sink.received.length;
      const block = await api(a!).post("/admin/federation/domains", {
        domain: sink.host,
        policy: "block",
      });
      assert.equal(block.status, 200);
      const refused = await waitFor("the delivery to be refused", async () => {
        const d = await deliveryOf(a!, second.activityId, sink.host);
        return d?.status === "dead" ? d : undefined;
      });
      assert.match(refused.last_error ?? "", /refused/);
      assert.equal(sink.received.length, received);
    } finally {
      sink.server.close();
    }
  });

  it("sends properties unknown to the vocabulary, signed and proven with them", async () => {
    const { a } = net;
    const sink = await startSink();
    try {
      await api(a!).post("/admin/federation/domains", { domain: sink.host, policy: "allow" });
      await followFrom(a!, sink.host);
      const publicUrl = a!.instance.ctx.config.publicUrl;
      const actor = actorUri(publicUrl, "cmcas");
      const id = newActivityId(publicUrl);
      const extras = {
        context: { mz: "https://joinmobilizon.org/ns#", timezone: "mz:timezone" },
        fields: { timezone: "Europe/Paris" },
      };
      await a!.instance.ctx.transaction((tx) =>
        publishToFollowers(
          tx,
          "cmcas",
          new Create({
            id,
            actor,
            to: PUBLIC_COLLECTION,
            object: new Note({
              id: new URL(`/notes/${crypto.randomUUID()}`, publicUrl),
              attribution: actor,
              content: "avec fuseau",
              to: PUBLIC_COLLECTION,
            }),
          }),
          extras,
        ),
      );
      const got = await waitFor("the delivery", async () =>
        sink.received.find((r) => r.body.id === id.href),
      );
      assert.equal((got.body.object as { timezone?: string }).timezone, "Europe/Paris");
      const context = a!.instance.federation.context();
      const loaders = {
        documentLoader: context.documentLoader,
        contextLoader: context.contextLoader,
      };
      // The proof is made first, then the Linked Data signature over the proven document.
      const { signature: _, ...proven } = got.body;
      assert.ok(await verifyObject(Create, proven, loaders), "integrity proof");
      const object = proven.object as Record<string, unknown>;
      const tampered = { ...proven, object: { ...object, timezone: "Europe/London" } };
      assert.equal(await verifyObject(Create, tampered, loaders), null, "the proof covers extras");
      assert.equal(await verifyJsonLd(got.body, loaders), true, "Linked Data signature");

      // The outbox collection serves them too (remote instances backfill from it).
      const page = await supertest(a!.url)
        .get("/users/cmcas/outbox?cursor=first")
        .set("accept", "application/activity+json");
      const item = (
        JSON.parse(page.text) as { orderedItems: { id: string; object: object }[] }
      ).orderedItems.find((i) => i.id === id.href);
      assert.equal((item?.object as { timezone?: string }).timezone, "Europe/Paris");
    } finally {
      sink.server.close();
    }
  });
});
