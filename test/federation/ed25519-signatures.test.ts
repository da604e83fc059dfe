// RFC 9421 signatures by an Ed25519 key that the sender publishes only as a Multikey in its
// actor's `assertionMethod` (FEP-521a), as Mitra and tootik sign: Fedify alone looks the keyid up
// among `publicKey` entries and refused them (federation/http/multikey.ts).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { generateCryptoKeyPair } from "@fedify/fedify";
import { Multikey } from "@fedify/vocab";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { drain, waitFor } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";
/** Mitra's actor context (its own terms left out): `assertionMethod`, `Multikey` and
 * `publicKeyMultibase` are the controlled identifiers context's terms. */
const ACTOR_CONTEXT = [
  AS,
  "https://www.w3.org/ns/cid/v1",
  "https://w3id.org/security/v1",
  "https://w3id.org/security/data-integrity/v2",
];

/** A POST of `body` to `url`, signed per RFC 9421 with Ed25519 as Mitra signs (no `date`). */
async function signedPost(url: string, body: string, key: CryptoKey, keyId: string) {
  const target = new URL(url);
  const contentDigest = `sha-256=:${createHash("sha256").update(body).digest("base64")}:`;
  const created = Math.floor(Date.now() / 1000);
  const params = `("@method" "@target-uri" "@authority" "content-digest");created=${created};keyid="${keyId}";alg="ed25519"`;
  const base = [
    `"@method": POST`,
    `"@target-uri": ${target.href}`,
    `"@authority": ${target.host}`,
    `"content-digest": ${contentDigest}`,
    `"@signature-params": ${params}`,
  ].join("\n");
  const signature = await crypto.subtle.sign("Ed25519", key, new TextEncoder().encode(base));
  return {
    body,
    headers: {
      "content-type": "application/activity+json",
      "content-digest": contentDigest,
      "signature-input": `sig1=${params}`,
      signature: `sig1=:${Buffer.from(signature).toString("base64")}:`,
    },
  };
}

type Signed = Awaited<ReturnType<typeof signedPost>>;

const send = (url: string, { body, headers }: Signed) =>
  fetch(url, { method: "POST", headers, body });

describe("inbox: RFC 9421 signatures by an Ed25519 Multikey (FEP-521a)", function () {
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

  /** An actor with the peer's RSA key as `publicKey` and an Ed25519 Multikey of its own. */
  async function mitraActor(name: string) {
    const id = `${peer.url}/users/${name}`;
    const keyId = `${id}#ed25519-key`;
    const pair = await generateCryptoKeyPair("Ed25519");
    const multikey = new Multikey({
      id: new URL(keyId),
      controller: new URL(id),
      publicKey: pair.publicKey,
    });
    const { publicKeyMultibase } = (await multikey.toJsonLd()) as { publicKeyMultibase: string };
    await peer.actor(
      `/users/${name}`,
      {
        type: "Person",
        preferredUsername: name,
        assertionMethod: [{ id: keyId, type: "Multikey", controller: id, publicKeyMultibase }],
      },
      ACTOR_CONTEXT,
    );
    return { id, keyId, privateKey: pair.privateKey };
  }

  const followOf = (actor: string) => ({
    "@context": AS,
    id: `${actor}/follows/${crypto.randomUUID()}`,
    type: "Follow",
    actor,
    object: `${instance.url}/users/cmcas`,
  });
  const followRow = (activityId: string) =>
    instance.ctx.db
      .selectFrom("federation_follows")
      .select(["state", "direction"])
      .where("activity_id", "=", activityId)
      .executeTakeFirst();
  const accepted = (activityId: string) =>
    peer.received.some((r) => {
      const object = r.body?.type === "Accept" ? r.body.object : undefined;
      return (
        (typeof object === "string" ? object : (object as { id?: unknown })?.id) === activityId
      );
    });

  for (const [inbox, name] of [
    ["/inbox", "alice"],
    // Fedify's own handler then verifies the signature again, with the key the gate cached.
    ["/users/cmcas/inbox", "carol"],
  ] as const)
    it(`accepts a Follow POSTed to ${inbox}, refused once tampered with or signed by another key`, async () => {
      const actor = await mitraActor(name);
      const follow = followOf(actor.id);
      const url = `${instance.url}${inbox}`;
      const genuine = await signedPost(url, JSON.stringify(follow), actor.privateKey, actor.keyId);

      // One byte of the body changed, the signature headers kept.
      const tampered = { ...genuine, body: genuine.body.replace("Follow", "Fellow") };
      const forged = await signedPost(
        url,
        genuine.body,
        (await generateCryptoKeyPair("Ed25519")).privateKey,
        actor.keyId,
      );
      for (const [what, request] of [
        ["a tampered body", tampered],
        ["another key", forged],
      ] as const) {
        const res = await send(url, request);
        assert.equal(res.status, 401, `${what}: ${await res.text()}`);
      }
      await drain({ instance });
      assert.equal(await followRow(follow.id), undefined, "no follow kept");
      assert.ok(!accepted(follow.id), "no Accept sent");

      const res = await send(url, genuine);
      assert.equal(res.status, 202, await res.text());
      const row = await waitFor("the follow", () => followRow(follow.id));
      assert.deepEqual(row, { state: "accepted", direction: "incoming" });
      await waitFor("the Accept", async () => accepted(follow.id));
    });
});
