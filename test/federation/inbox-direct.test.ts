// The shared inbox's common case is queued without Fedify's request handler (ADR 0169): its
// document expanded once (JSON-LD), not four times; everything else keeps Fedify's own path and
// answers. A web process only: the activities wait in the queue, so every expansion counted is
// the inbox's, none a worker's.
import assert from "node:assert/strict";
import { countExpansions, type ExpansionCount } from "../support/expansions.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe("inbox: the common case queued without Fedify's handler", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let a: TestInstance;
  let member: string;
  let other: string;
  let expansions: ExpansionCount | undefined;

  before(async () => {
    peer = await FakePeer.start();
    member = await peer.actor("/users/lea", { type: "Person", preferredUsername: "lea" });
    other = await peer.actor("/users/paul", { type: "Person", preferredUsername: "paul" });
    a = await startTestInstance({
      env: {
        FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1",
        FEDERATION_ALLOWED_DOMAINS: peer.host,
        PROCESS_ROLE: "web",
      },
    });
    expansions = countExpansions();
  });
  after(async () => {
    expansions?.restore();
    await a?.destroy();
    await peer?.close();
  });

  const expanded = (activity: { id: string }) => expansions?.of(activity.id) ?? 0;
  const note = (actor: string, text: string) => {
    const id = `${peer.url}/notes/${crypto.randomUUID()}`;
    return {
      "@context": AS,
      id: `${id}#create`,
      type: "Create",
      actor,
      to: [`${AS}#Public`],
      object: { id, type: "Note", attributedTo: actor, to: [`${AS}#Public`], content: text },
    };
  };
  const pending = async () => (await a.ctx.queue.stats()).pending;

  it("parses an activity signed by its actor's key once, and queues it", async () => {
    const queued = await pending();
    const activity = note(member, "bonjour");
    const res = await peer.post(`${a.url}/inbox`, activity, member);
    // Fedify's answer, word for word.
    assert.equal(res.status, 202);
    assert.equal(await res.text(), "Activity is enqueued.");
    // Before: Fedify's proof check parsed it, then Fedify parsed it again, each time as an
    // Activity, then as the Create it is.
    assert.equal(expanded(activity), 1, "one expansion at the inbox");
    assert.equal(await pending(), queued + 1, "one job queued");
  });

  it("leaves an activity signed by another actor's key to Fedify, which refuses it", async () => {
    const queued = await pending();
    const activity = note(member, "usurpé");
    // A valid signature by paul's key, for an activity that says lea wrote it.
    const res = await peer.post(`${a.url}/inbox`, activity, other);
    assert.equal(res.status, 401);
    assert.equal(await res.text(), "The signer and the actor do not match.");
    assert.ok(expanded(activity) > 1, "Fedify parsed it too");
    assert.equal(await pending(), queued, "nothing queued");
  });

  it("leaves a personal inbox to Fedify", async () => {
    const queued = await pending();
    const activity = note(member, "à toi");
    const res = await peer.post(`${a.url}/users/cmcas/inbox`, activity, member);
    assert.equal(res.status, 202, await res.text());
    // Fedify's own path: its proof check, then the activity, each read by Create's parser
    // (federation/activity-parse.ts; before it, each an Activity then a Create: four).
    assert.equal(expanded(activity), 2);
    assert.equal(await pending(), queued + 1);
  });
});
