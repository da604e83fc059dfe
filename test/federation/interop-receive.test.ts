// What other software POSTs to our inbox, as it sends it: a peer on loopback (test/support/
// fake-peer.ts) serves actors shaped as that software publishes them and signs its activities.
import assert from "node:assert/strict";
import { LITEPUB } from "../../federation/contexts.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe("federation: inbox payloads of other software", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let instance: TestInstance;

  before(async () => {
    peer = await FakePeer.start();
    instance = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
  });
  after(async () => {
    await instance?.destroy();
    await peer?.close();
  });

  const follow = (actor: string, context: unknown) => ({
    "@context": context,
    id: `${actor}/follows/${crypto.randomUUID()}`,
    type: "Follow",
    actor,
    object: `${instance.url}/users/cmcas`,
  });

  it("verifies an actor whose only context is ActivityStreams (forum software) and accepts its Follow", async () => {
    // NodeBB publishes its users with the ActivityStreams context alone, key included.
    const actor = await peer.actor("/uid/7", { type: "Person", preferredUsername: "julie" }, AS);
    const res = await peer.post(`${instance.url}/inbox`, follow(actor, AS), actor);
    assert.equal(res.status, 202, await res.text());
    const accept = await waitFor("the Accept", async () =>
      peer.received.find((r) => r.path === "/uid/7/inbox" && r.body?.type === "Accept"),
    );
    assert.equal((accept.body!.object as { actor: string }).actor, actor);
  });

  it("reads an activity naming the LitePub context without fetching it", async () => {
    // Pleroma, Akkoma and Mobilizon name LitePub's context; its host is not reachable here.
    const actor = await peer.actor("/users/lain", { type: "Person", preferredUsername: "lain" }, [
      AS,
      LITEPUB,
    ]);
    const res = await peer.post(`${instance.url}/inbox`, follow(actor, [AS, LITEPUB]), actor);
    assert.equal(res.status, 202, await res.text());
    await waitFor("the Accept", async () =>
      peer.received.find((r) => r.path === "/users/lain/inbox" && r.body?.type === "Accept"),
    );
  });

  it("answers a clean 400, not a 500, when a context the activity names cannot be loaded", async () => {
    const actor = await peer.actor("/users/odd", { type: "Person", preferredUsername: "odd" });
    for (const context of [`${peer.url}/missing-context.jsonld`, "http://127.0.0.1:9/ctx.jsonld"]) {
      const res = await peer.post(`${instance.url}/inbox`, follow(actor, [AS, context]), actor);
      assert.equal(res.status, 400, context);
      assert.match(res.headers.get("content-type") ?? "", /^application\/problem\+json/);
      assert.match(((await res.json()) as { detail: string }).detail, /could not be loaded/);
    }
  });
});
