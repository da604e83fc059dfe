// Ed25519 where the peer states it verifies it (FEP-844e, ADR 0176): the fan-out's signature is
// checked by Fedify's own verifier against the key our actor publishes; an actor stating the
// capability is stored with it; deliveries to its server are signed with Ed25519, the others with
// RSA, and a server that refuses the Ed25519 signature still gets its delivery.
import "../../federation/temporal.ts";
import assert from "node:assert/strict";
import { KeyObject } from "node:crypto";
import { verifyRequest } from "@fedify/fedify";
import { isActor, Multikey, Update } from "@fedify/vocab";
import { exportSpki, getDocumentLoader } from "@fedify/vocab-runtime";
import {
  fetchRemoteActor,
  remoteActorFromVocab,
  saveRemoteActor,
} from "../../federation/actors/remote.ts";
import { RFC9421, RFC9421_ED25519, statesEd25519 } from "../../federation/capabilities.ts";
import { bodyOf, signatureHeaders } from "../../federation/delivery/sender.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { generateKeyPair } from "../../federation/keys.ts";
import { FakePeer, type Received } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { fanOutNote } from "./harness.ts";

const AS = "https://www.w3.org/ns/activitystreams";
const SECURITY = "https://w3id.org/security/v1";
const contextLoader = getDocumentLoader();

/** A loader serving one key document, as a verifier would fetch it. */
function serving(keyId: string, document: unknown) {
  return async (url: string) => {
    if (url !== keyId && url !== keyId.split("#")[0]) throw new Error(`not served: ${url}`);
    return { documentUrl: url, contextUrl: null, document };
  };
}

/** Fedify's verifier on a received POST, with the key given as a CryptographicKey document. */
async function verified(
  url: string,
  headers: Record<string, string>,
  body: string,
  key: { id: string; owner: string; pem: string },
) {
  const request = new Request(url, { method: "POST", headers, body });
  const document = {
    "@context": SECURITY,
    id: key.id,
    type: "CryptographicKey",
    owner: key.owner,
    publicKeyPem: key.pem,
  };
  return verifyRequest(request, { documentLoader: serving(key.id, document), contextLoader });
}

const flat = (headers: Received["headers"]): Record<string, string> =>
  Object.fromEntries(
    Object.entries(headers).flatMap(([k, v]) => (typeof v === "string" ? [[k, v]] : [])),
  );

describe("federation: Ed25519 signatures for peers that verify them", function () {
  this.timeout(120_000);

  it("signs per RFC 9421 with alg ed25519, which Fedify's verifier accepts", async () => {
    const actor = "https://cmcas.example/users/cmcas";
    const keyId = `${actor}#key-2`;
    const keys = await generateKeyPair("Ed25519");
    const activity = { "@context": AS, id: `${actor}/a/1`, type: "Create", actor };
    const url = new URL("https://peer.example/users/u1/inbox");
    const sign = (spec: "rfc9421" | "draft-cavage-http-signatures-12") =>
      signatureHeaders(spec, url, bodyOf(activity), {
        keyId,
        algorithm: "ed25519",
        privateKey: KeyObject.from(keys.privateKey),
      });
    // Even where the peer was last seen taking draft-cavage: Ed25519 is RFC 9421's.
    const headers = await sign("draft-cavage-http-signatures-12");
    assert.match(headers["signature-input"]!, /;alg="ed25519";keyid="[^"]+#key-2"/);
    const key = { id: keyId, owner: actor, pem: await exportSpki(keys.publicKey) };
    const body = JSON.stringify(activity);
    assert.equal((await verified(url.href, headers, body, key))?.id?.href, keyId);
    const changed = JSON.stringify({ ...activity, id: `${actor}/a/2` });
    assert.equal(await verified(url.href, headers, changed, key), null);
  });

  describe("delivery", () => {
    let instance: TestInstance;
    let stating: FakePeer;
    let silent: FakePeer;
    let refusing: FakePeer;

    const generator = {
      type: "Application",
      implements: [
        { href: RFC9421, name: "RFC-9421: HTTP Message Signatures" },
        { href: RFC9421_ED25519, name: "RFC-9421 signatures using the Ed25519 algorithm" },
      ],
    };

    before(async () => {
      [stating, silent, refusing] = await Promise.all([
        FakePeer.start(),
        FakePeer.start(),
        FakePeer.start(),
      ]);
      // States Ed25519 but does not take it: the delivery must still arrive (with RSA).
      refusing.inboxStatus = (_path, _body, headers) =>
        String(headers["signature-input"]).includes('alg="ed25519"') ? 401 : 202;
      const peers = [stating, silent, refusing];
      instance = await startTestInstance({
        env: {
          FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1",
          FEDERATION_ALLOWED_DOMAINS: peers.map((p) => p.host).join(","),
        },
      });
      const runtime = instance.federation;
      for (const peer of peers) {
        const uri = await peer.actor(
          "/users/u0",
          { type: "Person", preferredUsername: "u0", ...(peer === silent ? {} : { generator }) },
          [AS, SECURITY],
        );
        const saved = await runtime.withOutgoing(() =>
          fetchRemoteActor(instance.ctx.db, runtime.context(), uri),
        );
        assert.ok(saved);
        await saveFollow(instance.ctx.db, {
          localActor: "cmcas",
          localUserId: null,
          remoteActorId: saved.id,
          direction: "incoming",
          state: "accepted",
          activityId: `${uri}/follows/1`,
        });
      }
    });
    after(async () => {
      await instance?.destroy();
      for (const peer of [stating, silent, refusing]) await peer?.close();
    });

    it("stores whether an actor's server states that it verifies Ed25519", async () => {
      const rows = await instance.ctx.db
        .selectFrom("federation_remote_actors")
        .select(["host", "accepts_ed25519"])
        .execute();
      const by = new Map(rows.map((r) => [r.host, r.accepts_ed25519]));
      assert.equal(by.get(stating.host), true);
      assert.equal(by.get(refusing.host), true);
      assert.equal(by.get(silent.host), false);
    });

    it("states the capability on our actors, and reads it back as another instance would", async () => {
      const served = await fetch(new URL("/users/cmcas", instance.ctx.config.publicUrl), {
        headers: { accept: "application/activity+json" },
      });
      const json = (await served.json()) as { id: string; generator?: typeof generator };
      const hrefs = json.generator?.implements.map((i) => i.href);
      assert.deepEqual(hrefs, [RFC9421, RFC9421_ED25519]);
      // Another Maillage reads it from our document (JSON-LD, the inlined FEP-844e term).
      const runtime = instance.federation;
      const self = await runtime.withOutgoing(() =>
        fetchRemoteActor(instance.ctx.db, runtime.context(), json.id),
      );
      assert.equal(self?.acceptsEd25519, true);
      // The same document embedded in its Update is not kept by Fedify: not known, and the stored
      // answer is left as it was.
      const { "@context": context, ...rest } = json as Record<string, unknown>;
      const update = await Update.fromJsonLd(
        {
          "@context": context,
          id: `${json.id}#update`,
          type: "Update",
          actor: json.id,
          object: rest,
        },
        { contextLoader, documentLoader: contextLoader },
      );
      const embedded = await update.getObject({ contextLoader, documentLoader: contextLoader });
      assert.ok(isActor(embedded));
      assert.equal(statesEd25519(embedded), undefined);
      const fields = await remoteActorFromVocab(embedded);
      assert.ok(fields);
      assert.equal((await saveRemoteActor(instance.ctx.db, fields)).acceptsEd25519, true);
    });

    it("signs with Ed25519 for servers that state it, RSA for the others, and delivers all", async () => {
      const id = await fanOutNote(instance, "Sortie raquettes", 3);
      const posts = (peer: FakePeer) =>
        peer.received.filter((r) => r.method === "POST" && r.body?.id === id);
      const alg = (r: Received) => /;alg="([^"]+)"/.exec(String(r.headers["signature-input"]))?.[1];

      const [toStating] = posts(stating);
      assert.equal(posts(stating).length, 1);
      assert.equal(alg(toStating!), "ed25519");
      // Checked against the key the CMCAS publishes as its Multikey (FEP-521a), by Fedify.
      const keyId = /keyid="([^"]+)"/.exec(String(toStating!.headers["signature-input"]))![1]!;
      const actorDoc = (await (
        await fetch(keyId.split("#")[0]!, { headers: { accept: "application/activity+json" } })
      ).json()) as { id: string; assertionMethod: { id: string }[] };
      const published = actorDoc.assertionMethod.find((m) => m.id === keyId);
      assert.ok(published, `${keyId} is one of the actor's assertion methods`);
      const multikey = await Multikey.fromJsonLd(
        { "@context": "https://w3id.org/security/multikey/v1", ...published },
        { contextLoader, documentLoader: contextLoader },
      );
      const pem = await exportSpki(multikey.publicKey!);
      const inbox = `${stating.url}/users/u0/inbox`;
      const sent = JSON.stringify(toStating!.body);
      const key = { id: keyId, owner: actorDoc.id, pem };
      assert.equal((await verified(inbox, flat(toStating!.headers), sent, key))?.id?.href, keyId);

      assert.deepEqual(posts(silent).map(alg), ["rsa-v1_5-sha256"]);
      // Refused with Ed25519, then delivered by Fedify's path, signed with RSA.
      const toRefusing = posts(refusing);
      assert.equal(alg(toRefusing[0]!), "ed25519");
      assert.equal(toRefusing[0]!.status, 401);
      const accepted = toRefusing.filter((r) => r.status === 202);
      assert.equal(accepted.length, 1);
      assert.notEqual(alg(accepted[0]!), "ed25519");
    });
  });
});
