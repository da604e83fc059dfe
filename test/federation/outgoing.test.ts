// Outgoing requests (ADR 0083): every redirect hop is checked at the address connected to, a
// delivery never carries its signed activity to a host the policy does not allow, fetched
// documents are capped in size and time, and an unreachable context or document is a clean
// answer to the sender, never a 500. The peers are plain HTTP servers on loopback that misbehave.
import assert from "node:assert/strict";
import http from "node:http";
import { signRequest } from "@fedify/fedify";
import { Create, Note } from "@fedify/vocab";
import { addressRefusal } from "../../federation/http/outgoing.ts";
import { sendToActors } from "../../federation/outbox.ts";
import { actorUri, newActivityId } from "../../federation/uris.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { startNetwork, stopNetwork, waitFor, type Network } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";

interface Trap {
  url: string;
  host: string;
  hits: string[];
  close(): Promise<void>;
}

async function trap(
  handle: (req: http.IncomingMessage, res: http.ServerResponse, self: Trap) => void,
): Promise<Trap> {
  const port = await freePort();
  const self: Trap = {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    hits: [],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer((req, res) => {
    self.hits.push(`${req.method} ${req.url}`);
    handle(req, res, self);
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return self;
}

function person(base: string, name: string, extra: Record<string, unknown> = {}) {
  return {
    "@context": [AS, "https://w3id.org/security/v1"],
    id: `${base}/${name}`,
    type: "Person",
    preferredUsername: name,
    inbox: `${base}/${name}/inbox`,
    ...extra,
  };
}

describe("federation: outgoing requests", function () {
  this.timeout(120_000);
  let instance: TestInstance;
  let elsewhere: Trap; // not allowed by the policy
  let peer: Trap; // allowed; its inbox redirects
  let redirectTo = "";

  before(async () => {
    elsewhere = await trap((_req, res) => res.writeHead(202).end());
    peer = await trap((req, res, self) => {
      const path = req.url ?? "/";
      if (req.method === "POST") {
        res.writeHead(307, { location: redirectTo }).end();
      } else if (path === "/big") {
        const doc = person(self.url, "big", { summary: "x".repeat(2_000_000) });
        res.writeHead(200, { "content-type": "application/activity+json" });
        res.end(JSON.stringify(doc));
      } else if (path === "/stall") {
        res.writeHead(200, { "content-type": "application/activity+json" });
        res.write("{"); // and nothing more
      } else {
        const name = path.slice(1);
        res.writeHead(200, { "content-type": "application/activity+json" });
        res.end(JSON.stringify(person(self.url, name)));
      }
    });
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
    await elsewhere?.close();
  });

  async function deliverTo(name: string) {
    const publicUrl = instance.ctx.config.publicUrl;
    const actor = actorUri(publicUrl, "cmcas");
    const activityId = newActivityId(publicUrl);
    await instance.ctx.transaction((tx) =>
      sendToActors(
        tx,
        "cmcas",
        [`${peer.url}/${name}`],
        new Create({
          id: activityId,
          actor,
          object: new Note({ id: new URL(`/notes/${crypto.randomUUID()}`, publicUrl) }),
        }),
      ),
    );
    return waitFor("the delivery to fail", () =>
      instance.ctx.db
        .selectFrom("federation_deliveries")
        .select(["status", "last_error"])
        .where("activity_id", "=", activityId.href)
        .where("last_error", "is not", null)
        .executeTakeFirst(),
    );
  }

  it("never follows a delivery's redirect to a host the policy does not allow", async () => {
    redirectTo = `${elsewhere.url}/collect`;
    const delivery = await deliverTo("alice");
    assert.ok(peer.hits.includes("POST /alice/inbox"), peer.hits.join(", "));
    assert.deepEqual(elsewhere.hits, [], "the signed activity reached a host not allowed");
    assert.match(delivery.last_error!, /not allowed by the policy/);
  });

  it("never follows a redirect to a link-local (cloud metadata) address", async () => {
    redirectTo = "http://169.254.169.254/latest/meta-data/";
    const delivery = await deliverTo("bob");
    assert.match(delivery.last_error!, /169\.254\.169\.254 is never allowed/);
  });

  it("refuses a document over its size limit", async () => {
    const found = await instance.federation.lookup(`${peer.url}/big`);
    assert.equal(found.ok, false);
    const small = await instance.federation.lookup(`${peer.url}/carol`);
    assert.equal(small.ok, true, "a normal actor is still found");
  });

  it("gives up on a peer that stops answering", async () => {
    const found = await instance.federation.lookup(`${peer.url}/stall`);
    assert.equal(found.ok, false);
  });
});

describe("federation: the address connected to", () => {
  it("refuses link-local, unspecified and (unless allowed) private addresses", () => {
    for (const ip of ["169.254.169.254", "0.0.0.0", "::", "fe80::1", "::ffff:169.254.169.254"])
      assert.ok(addressRefusal(ip, true), ip);
    for (const ip of ["127.0.0.1", "10.1.2.3", "192.168.1.1", "::1", "fd00:ec2::254"]) {
      assert.ok(addressRefusal(ip, false), ip);
      assert.equal(addressRefusal(ip, true), undefined, ip);
    }
    for (const ip of ["93.184.215.14", "2a01:e0a::1"])
      assert.equal(addressRefusal(ip, false), undefined, ip);
  });
});

describe("federation: an inbox POST whose context or object cannot be fetched", function () {
  this.timeout(120_000);
  let net: Network;
  let dead: Trap;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"] });
    // Answers nothing useful: contexts and objects fetched from it fail.
    dead = await trap((_req, res) => res.writeHead(500).end());
  });
  after(async () => {
    await stopNetwork(net);
    await dead?.close();
  });

  async function post(body: object) {
    const { a, b } = net;
    const key = (await b!.instance.federation.keys.pairs("cmcas"))[0]!.privateKey;
    const request = await signRequest(
      new Request(`${a!.url}/inbox`, {
        method: "POST",
        headers: { "content-type": "application/activity+json" },
        body: JSON.stringify(body),
      }),
      key,
      new URL(`${b!.url}/users/cmcas#main-key`),
      { spec: "draft-cavage-http-signatures-12" },
    );
    const res = await fetch(request);
    return { status: res.status, text: await res.text() };
  }

  it("answers 4xx or 202 for a context that cannot be loaded", async () => {
    const { b } = net;
    const id = crypto.randomUUID();
    const res = await post({
      "@context": [AS, `${dead.url}/context.jsonld`],
      id: `${b!.url}/activities/${id}`,
      type: "Create",
      actor: `${b!.url}/users/cmcas`,
      object: { id: `${b!.url}/notes/${id}`, type: "Note", content: "<p>x</p>" },
    });
    assert.ok(res.status === 202 || (res.status >= 400 && res.status < 500), `${res.status}`);
  });

  it("answers 4xx or 202 for an object that cannot be fetched", async () => {
    const { b } = net;
    const res = await post({
      "@context": AS,
      id: `${b!.url}/activities/${crypto.randomUUID()}`,
      type: "Like",
      actor: `${b!.url}/users/cmcas`,
      object: `${dead.url}/notes/gone`,
    });
    assert.ok(res.status === 202 || (res.status >= 400 && res.status < 500), `${res.status}`);
  });
});
