// The shared inbox's common case is queued without Fedify's request handler (ADR 0169): parsed
// once, not twice; everything else keeps Fedify's own path and answers. A web process only: the
// activities wait in the queue, so every parse counted is the inbox's, none a worker's.
import assert from "node:assert/strict";
import { Activity } from "@fedify/vocab";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

const AS = "https://www.w3.org/ns/activitystreams";
type FromJsonLd = typeof Activity.fromJsonLd;

describe("inbox: the common case queued without Fedify's handler", function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let a: TestInstance;
  let member: string;
  let other: string;
  // Unbound: a subclass's parse calls it with itself as `this`.
  const parse: FromJsonLd = Activity.fromJsonLd;
  /** Activities parsed (a subclass's parse of the same document counts once). */
  let parses = 0;

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
    // Counts and calls the real parser (Fedify's and ours call this same function).
    Activity.fromJsonLd = async function (this: typeof Activity, json, options) {
      if (!(options as { _fromSubclass?: boolean } | undefined)?._fromSubclass) parses++;
      return parse.call(this, json, options) as ReturnType<FromJsonLd>;
    } as FromJsonLd;
  });
  after(async () => {
    Activity.fromJsonLd = parse;
    await a?.destroy();
    await peer?.close();
  });

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
    parses = 0;
    const res = await peer.post(`${a.url}/inbox`, note(member, "bonjour"), member);
    // Fedify's answer, word for word.
    assert.equal(res.status, 202);
    assert.equal(await res.text(), "Activity is enqueued.");
    // Before: Fedify's proof check parsed it, then Fedify parsed it again.
    assert.equal(parses, 1, "one parse at the inbox");
    assert.equal(await pending(), queued + 1, "one job queued");
  });

  it("leaves an activity signed by another actor's key to Fedify, which refuses it", async () => {
    const queued = await pending();
    parses = 0;
    // A valid signature by paul's key, for an activity that says lea wrote it.
    const res = await peer.post(`${a.url}/inbox`, note(member, "usurpé"), other);
    assert.equal(res.status, 401);
    assert.equal(await res.text(), "The signer and the actor do not match.");
    assert.ok(parses >= 2, "Fedify parsed it too");
    assert.equal(await pending(), queued, "nothing queued");
  });

  it("leaves a personal inbox to Fedify", async () => {
    const queued = await pending();
    parses = 0;
    const res = await peer.post(`${a.url}/users/cmcas/inbox`, note(member, "à toi"), member);
    assert.equal(res.status, 202, await res.text());
    assert.equal(parses, 2, "Fedify's own path: its proof check, then the activity");
    assert.equal(await pending(), queued + 1);
  });
});
