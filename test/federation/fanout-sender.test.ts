// The fan-out's fast path (federation/delivery/sender.ts, ADR 0156): its signatures are checked
// by Fedify's own verifier in both schemes, and a peer that refuses the first scheme still gets
// every delivery (Fedify's double-knock takes over), then the remembered scheme at once.
import "../../federation/temporal.ts";
import assert from "node:assert/strict";
import { KeyObject } from "node:crypto";
import { verifyRequest } from "@fedify/fedify";
import { exportSpki, getDocumentLoader } from "@fedify/vocab-runtime";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { bodyOf, signatureHeaders, type SignatureSpec } from "../../federation/delivery/sender.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { generateKeyPair } from "../../federation/keys.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { fanOutNote } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe("federation: the fan-out's own signed POSTs", function () {
  this.timeout(120_000);

  describe("signatures", () => {
    const actor = "https://cmcas.example/users/cmcas";
    const keyId = `${actor}#main-key`;
    let keys: CryptoKeyPair;
    let documentLoader: (url: string) => Promise<{
      documentUrl: string;
      contextUrl: null;
      document: unknown;
    }>;

    before(async () => {
      keys = await generateKeyPair("RSASSA-PKCS1-v1_5");
      const pem = await exportSpki(keys.publicKey);
      const document = {
        "@context": [AS, "https://w3id.org/security/v1"],
        id: actor,
        type: "Organization",
        inbox: `${actor}/inbox`,
        publicKey: { id: keyId, owner: actor, publicKeyPem: pem },
      };
      documentLoader = async (url) => {
        if (url.split("#")[0] !== actor) throw new Error(`not served: ${url}`);
        return { documentUrl: actor, contextUrl: null, document };
      };
    });

    const activity = {
      "@context": AS,
      id: `${actor}/activities/1`,
      type: "Create",
      actor,
      object: { type: "Note", content: "<p>Sortie raquettes, samedi</p>" },
    };

    const verify = async (spec: SignatureSpec, sentBody: string) => {
      const url = new URL("https://peer.example/users/u1/inbox?x=1");
      const headers = await signatureHeaders(spec, url, bodyOf(activity), {
        keyId,
        algorithm: "rsa",
        privateKey: KeyObject.from(keys.privateKey),
      });
      const request = new Request(url, {
        method: "POST",
        headers: { ...headers, "content-type": "application/activity+json" },
        body: sentBody,
      });
      // Contexts from Fedify's preloaded copies: nothing leaves the machine.
      return verifyRequest(request, { documentLoader, contextLoader: getDocumentLoader() });
    };

    for (const spec of ["rfc9421", "draft-cavage-http-signatures-12"] as const)
      it(`verifies with Fedify's verifier (${spec}), and not once the body is changed`, async () => {
        const key = await verify(spec, JSON.stringify(activity));
        assert.equal(key?.id?.href, keyId);
        const tampered = await verify(spec, JSON.stringify({ ...activity, id: `${actor}/x` }));
        assert.equal(tampered, null);
      });
  });

  describe("delivery", () => {
    let instance: TestInstance;
    let strict: FakePeer;
    let open: FakePeer;

    before(async () => {
      strict = await FakePeer.start();
      open = await FakePeer.start();
      // Software that only knows draft-cavage signatures refuses an RFC 9421 one.
      strict.inboxStatus = (_path, _body, headers) => (headers["signature-input"] ? 401 : 202);
      instance = await startTestInstance({
        env: {
          FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1",
          FEDERATION_ALLOWED_DOMAINS: `${strict.host},${open.host}`,
        },
      });
      const { db } = instance.ctx;
      for (const peer of [strict, open])
        for (let i = 0; i < 3; i++) {
          const uri = await peer.actor(`/users/u${i}`, {
            type: "Person",
            preferredUsername: `u${i}`,
          });
          const saved = await saveRemoteActor(db, {
            uri,
            host: peer.host,
            type: "Person",
            username: `u${i}`,
            name: `U${i}`,
            summary: "",
            url: null,
            iconUrl: null,
            inbox: `${uri}/inbox`,
            sharedInbox: null,
            outbox: null,
            followersUrl: null,
          });
          await saveFollow(db, {
            localActor: "cmcas",
            localUserId: null,
            remoteActorId: saved.id,
            direction: "incoming",
            state: "accepted",
            activityId: `${uri}/follows/${crypto.randomUUID()}`,
          });
        }
    });
    after(async () => {
      await instance?.destroy();
      await strict?.close();
      await open?.close();
    });

    const fanOut = () => fanOutNote(instance, "Nouvelle sortie", 6);

    const posts = (peer: FakePeer, id: string) =>
      peer.received.filter((r) => r.method === "POST" && r.body?.id === id);

    it("delivers every inbox once, and a peer refusing a scheme gets the other one", async () => {
      const first = await fanOut();
      const opened = posts(open, first);
      assert.deepEqual(opened.map((r) => r.path).sort(), [
        "/users/u0/inbox",
        "/users/u1/inbox",
        "/users/u2/inbox",
      ]);
      assert.ok(opened.every((r) => r.status === 202));
      const accepted = posts(strict, first).filter((r) => r.status === 202);
      assert.deepEqual(accepted.map((r) => r.path).sort(), [
        "/users/u0/inbox",
        "/users/u1/inbox",
        "/users/u2/inbox",
      ]);

      // The scheme the peer accepted is remembered: the next fan-out is not refused once.
      const second = await fanOut();
      const again = posts(strict, second);
      assert.equal(again.length, 3, JSON.stringify(again.map((r) => [r.path, r.status])));
      assert.ok(again.every((r) => r.status === 202));
      assert.equal(posts(open, second).length, 3);
    });

    it("keeps a fan-out's activity once, and lets it go once no delivery names it", async () => {
      const id = await fanOut();
      const { db } = instance.ctx;
      const rows = await db
        .selectFrom("federation_deliveries")
        .select("message")
        .where("activity_id", "=", id)
        .execute();
      const hashes = new Set(rows.map((r) => (r.message as { payload?: string }).payload));
      assert.equal(hashes.size, 1);
      assert.ok(rows.every((r) => (r.message as { activity?: unknown }).activity === undefined));
      const [hash] = [...hashes] as [string];
      const kept = await db
        .selectFrom("federation_delivery_payloads")
        .select("activity")
        .where("hash", "=", hash)
        .executeTakeFirstOrThrow();
      assert.equal((kept.activity as { id: string }).id, id);

      // Old enough, but still named by its rows: kept.
      await db
        .updateTable("federation_delivery_payloads")
        .set({ created_at: new Date(Date.now() - 3 * 86_400_000) })
        .where("hash", "=", hash)
        .execute();
      await instance.federation.deliveries.prune();
      const count = async () =>
        (
          await db
            .selectFrom("federation_delivery_payloads")
            .select("hash")
            .where("hash", "=", hash)
            .execute()
        ).length;
      assert.equal(await count(), 1);
      await db.deleteFrom("federation_deliveries").where("activity_id", "=", id).execute();
      await instance.federation.deliveries.prune();
      assert.equal(await count(), 0);
    });
  });
});
