import assert from "node:assert/strict";
import { signJsonLd } from "@fedify/fedify";
import { generateKeyPair } from "../../federation/keys.ts";
import {
  cmcasSigner,
  createNote as noteFrom,
  inboxRequest,
  type Signer,
} from "../support/inbox.ts";
import {
  api,
  drain,
  followCmcas,
  noteKept,
  publishNote,
  startNetwork,
  stopNetwork,
  waitFor,
  type Network,
  type Peer,
} from "./harness.ts";

const createNote = (from: Peer, text: string) => noteFrom(from.url, text);

async function cmcasKey(peer: Peer): Promise<CryptoKey> {
  return (await cmcasSigner(peer.instance)).key;
}

async function post(to: Peer, body: object, sign?: Signer) {
  return fetch(await inboxRequest(`${to.url}/inbox`, body, sign));
}

interface HostState {
  host: string;
  failing: number;
  lastError: string | null;
}

function followersOf(peer: Peer) {
  return peer.instance.ctx.db
    .selectFrom("federation_follows")
    .select("id")
    .where("direction", "=", "incoming")
    .where("state", "=", "accepted")
    .execute();
}

describe("federation: who may post to an inbox", function () {
  this.timeout(120_000);
  let net: Network;
  // A key nobody published: generated once for the whole run.
  let strangerKey: CryptoKey;

  before(async () => {
    net = await startNetwork({ a: ["b"], b: ["a"], c: ["a"] });
    // A keeps notes of the actors it follows only: its CMCAS follows B's.
    await followCmcas(net.a!, net.b!);
    const pair = await generateKeyPair("RSASSA-PKCS1-v1_5");
    strangerKey = pair.privateKey;
  });
  after(() => stopNetwork(net));

  for (const spec of ["rfc9421", "draft-cavage-http-signatures-12"] as const) {
    it(`accepts a POST from an allowed instance signed with ${spec}`, async () => {
      const { a, b } = net;
      const note = createNote(b!, spec);
      const keyId = `${b!.url}/users/cmcas#main-key`;
      const res = await post(a!, note, { key: await cmcasKey(b!), keyId, spec });
      assert.equal(res.status, 202, await res.text());
      await waitFor("the note to be kept", () => noteKept(a!, note.object.id));
    });
  }

  it("refuses an unsigned POST with 401", async () => {
    const { a, b } = net;
    const res = await post(a!, createNote(b!, "unsigned"));
    assert.equal(res.status, 401);
    assert.equal(res.headers.get("content-type"), "application/problem+json; charset=utf-8");
  });

  it("refuses a POST signed with a key that is not the actor's with 401", async () => {
    const { a, b } = net;
    const note = createNote(b!, "forged");
    const res = await post(a!, note, { key: strangerKey, keyId: `${b!.url}/users/cmcas#main-key` });
    assert.equal(res.status, 401);
    assert.equal(await noteKept(a!, note.object.id), undefined);
  });

  it("refuses a replayed POST whose date has expired, even with a valid LD signature", async () => {
    const { a, b } = net;
    const keyId = `${b!.url}/users/cmcas#main-key`;
    const key = await cmcasKey(b!);
    const context = b!.instance.federation.context();
    const body = await signJsonLd(createNote(b!, "replayed"), key, new URL(keyId), {
      contextLoader: context.contextLoader,
    });
    const stale = await post(a!, body, { key, keyId, minutesAgo: 120 });
    assert.equal(stale.status, 401);
    // The same body freshly signed is accepted: the date alone made the difference.
    const fresh = await post(a!, body, { key, keyId });
    assert.equal(fresh.status, 202, await fresh.text());
  });

  it("answers 403 to an instance that is not allowed, and never delivers to it", async () => {
    const { a, b, c } = net;
    const cKey = { key: await cmcasKey(c!), keyId: `${c!.url}/users/cmcas#main-key` };
    const direct = await post(a!, createNote(c!, "from C"), cKey);
    assert.equal(direct.status, 403);

    // C's CMCAS tries to follow A's (C allows A): A refuses C's delivery with 403.
    const follow = await api(c!).post("/follows", { target: `@cmcas@${a!.host}`, as: "cmcas" });
    assert.equal(follow.status, 201, follow.text);
    const failing = await waitFor("C's delivery to A to fail", async () => {
      const hosts = (await api(c!).get("/admin/federation/deliveries")).body as HostState[];
      return hosts.find((h) => h.host === a!.host && h.failing > 0);
    });
    assert.match(failing.lastError ?? "", /403/);
    assert.equal((await followersOf(a!)).length, 0);

    // A's admin allows C: C's Follow gets through at its next retry and is accepted.
    const allow = await api(a!).post("/admin/federation/domains", {
      domain: c!.host,
      policy: "allow",
    });
    assert.equal(allow.status, 200, allow.text);
    await waitFor("C to follow A", async () =>
      ((await api(c!).get("/follows?as=cmcas")).body as { state: string }[]).some(
        (f) => f.state === "accepted",
      ),
    );
    // B follows A too.
    const bFollow = await api(b!).post("/follows", { target: `@cmcas@${a!.host}`, as: "cmcas" });
    assert.equal(bFollow.status, 201, bFollow.text);
    await waitFor("B to follow A", async () => (await followersOf(a!)).length === 2);

    // A's admin takes C off the list: A's CMCAS publishes, B receives it, C receives nothing.
    const removed = await api(a!).delete("/admin/federation/domains", { domain: c!.host });
    assert.equal(removed.status, 204);
    const { noteId, activityId } = await publishNote(a!, "hi");
    await waitFor("B to receive A's note", () => noteKept(b!, noteId));
    await drain(a!);
    assert.equal(await noteKept(c!, noteId), undefined);
    const toC = await a!.instance.ctx.db
      .selectFrom("federation_deliveries")
      .select("id")
      .where("host", "=", c!.host)
      .where("activity_id", "=", activityId)
      .execute();
    assert.deepEqual(toC, []);
    assert.equal((await post(a!, createNote(c!, "again"), cKey)).status, 403);
  });
});
