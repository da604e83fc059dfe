// The fan-out's fast path (ADR 0156): a batch's first tries are signed and sent here, one body
// and one digest per activity, the key imported once, over the delivery agent's kept-alive
// connections (`Dispatcher.request`, not the WHATWG `fetch`). Measured per request on this
// machine, Fedify's send (three `Request` objects, a body copy, `fetch`) cost four times the main
// thread time of this path. Anything but a 2xx answer is not handled here: the caller hands the
// delivery to Fedify, which double-knocks (the other signature scheme, an Accept-Signature
// challenge), follows redirects, and records the failure and the retry as for any delivery.
import { createHash, KeyObject, sign as signWith } from "node:crypto";
import { importJwk, type KvKey, type KvStore } from "@fedify/fedify";
import type { Dispatcher } from "undici";
import { multikeyId } from "../keys.ts";

export type SignatureSpec = "rfc9421" | "draft-cavage-http-signatures-12";

/** Where Fedify's double-knock remembers which scheme a peer accepted (its KV prefix). */
const SPEC_PREFIX: KvKey = ["_fedify", "httpMessageSignaturesSpec"];
/** Fedify's first knock when nothing is remembered for a peer. */
const FIRST_KNOCK: SignatureSpec = "rfc9421";

export interface SigningKey {
  keyId: string;
  /** RSA-2048 for everyone; Ed25519 (RFC 9421 only) where the peer states it verifies it. */
  algorithm: "rsa" | "ed25519";
  /** node:crypto's key: its callback signature runs on the thread pool with half the main
   * thread's time of WebCrypto's. */
  privateKey: KeyObject;
}

/** One activity's body as sent, with its SHA-256 digest (base64). */
export interface Body {
  text: string;
  sha256: string;
}

export function bodyOf(activity: unknown): Body {
  const text = JSON.stringify(activity);
  return { text, sha256: createHash("sha256").update(text).digest("base64") };
}

/** RSASSA-PKCS1-v1_5 with SHA-256, or Ed25519 (which hashes itself), base64. */
function sign(key: SigningKey, data: string): Promise<string> {
  const digest = key.algorithm === "rsa" ? "sha256" : null;
  return new Promise((resolve, reject) =>
    signWith(digest, Buffer.from(data), key.privateKey, (error, signature) =>
      error ? reject(error) : resolve(signature.toString("base64")),
    ),
  );
}

/** The signature headers of a POST of `body` to `url` (RFC 9421, or draft-cavage as Mastodon's;
 * an Ed25519 key signs per RFC 9421 only, as the peers that accept it state). */
export async function signatureHeaders(
  spec: SignatureSpec,
  url: URL,
  body: Body,
  key: SigningKey,
  now: Date = new Date(),
): Promise<Record<string, string>> {
  const date = now.toUTCString();
  if (spec === "rfc9421" || key.algorithm === "ed25519") {
    const digest = `sha-256=:${body.sha256}:`;
    const alg = key.algorithm === "rsa" ? "rsa-v1_5-sha256" : "ed25519";
    const params =
      `("@method" "@target-uri" "@authority" "host" "date" "content-digest")` +
      `;alg="${alg}";keyid="${key.keyId}";created=${Math.floor(now.getTime() / 1000)}`;
    const base = [
      `"@method": POST`,
      `"@target-uri": ${url.href}`,
      `"@authority": ${url.host}`,
      `"host": ${url.host}`,
      `"date": ${date}`,
      `"content-digest": ${digest}`,
      `"@signature-params": ${params}`,
    ].join("\n");
    return {
      host: url.host,
      date,
      "content-digest": digest,
      "signature-input": `sig1=${params}`,
      signature: `sig1=:${await sign(key, base)}:`,
    };
  }
  const digest = `SHA-256=${body.sha256}`;
  // The path without its query, as Fedify signs and verifies it (an inbox has no query).
  const signed = [
    `(request-target): post ${url.pathname}`,
    `host: ${url.host}`,
    `date: ${date}`,
    `digest: ${digest}`,
  ].join("\n");
  const signature = await sign(key, signed);
  return {
    host: url.host,
    date,
    digest,
    signature:
      `keyId="${key.keyId}",algorithm="rsa-sha256",` +
      `headers="(request-target) host date digest",signature="${signature}"`,
  };
}

export class FanoutSender {
  readonly #dispatcher: Dispatcher;
  readonly #kv: KvStore;
  readonly #userAgent: string;
  readonly #keys = new Map<string, Promise<KeyObject>>();

  constructor(dispatcher: Dispatcher, kv: KvStore, userAgent: string) {
    this.#dispatcher = dispatcher;
    this.#kv = kv;
    this.#userAgent = userAgent;
  }

  /**
   * The key to sign with among a queued message's keys, imported once: its Ed25519 key when the
   * peer states it verifies Ed25519 (and the actor has one), else its first RSA key (as Fedify
   * signs with).
   */
  async signingKey(
    keys: readonly { keyId: string; privateKey: JsonWebKey }[],
    ed25519 = false,
  ): Promise<SigningKey | undefined> {
    const isEd25519 = (k: JsonWebKey) => k.kty === "OKP" && k.crv === "Ed25519";
    const chosen =
      (ed25519 ? keys.find((k) => isEd25519(k.privateKey)) : undefined) ??
      keys.find((k) => k.privateKey.kty === "RSA");
    if (chosen) {
      const { keyId, privateKey } = chosen;
      let imported = this.#keys.get(keyId);
      if (!imported) {
        if (this.#keys.size >= 1_000) this.#keys.delete(this.#keys.keys().next().value!);
        imported = importJwk(privateKey, "private").then((key) => KeyObject.from(key));
        imported.catch(() => this.#keys.delete(keyId));
        this.#keys.set(keyId, imported);
      }
      const rsa = privateKey.kty === "RSA";
      return {
        // The RSA key is the actor's `publicKey`; the Ed25519 one is published as a Multikey only.
        keyId: rsa ? keyId : multikeyId(keyId),
        algorithm: rsa ? "rsa" : "ed25519",
        privateKey: await imported,
      };
    }
    return undefined;
  }

  /** The scheme Fedify's double-knock last saw the peer accept (kept in memory by the KV). */
  async specFor(url: URL): Promise<SignatureSpec> {
    return (await this.#kv.get<SignatureSpec>([...SPEC_PREFIX, url.origin])) ?? FIRST_KNOCK;
  }

  /** Signs and POSTs; resolves to the answer's status (its body read and dropped). */
  async post(
    inbox: string,
    body: Body,
    key: SigningKey,
    extraHeaders: Record<string, string> = {},
  ): Promise<number> {
    const url = new URL(inbox);
    const signature = await signatureHeaders(await this.specFor(url), url, body, key);
    const response = await this.#dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: "POST",
      headers: {
        ...extraHeaders,
        "content-type": "application/activity+json",
        "user-agent": this.#userAgent,
        ...signature,
      },
      body: body.text,
    });
    await response.body.dump();
    return response.statusCode;
  }
}
