// Key pairs of local actors: RSA-2048 (HTTP and Linked Data signatures, `#main-key`) and Ed25519
// (FEP-8b32 Object Integrity Proofs), generated the first time an actor needs them and stored.
// Fedify numbers keys by position, so the order below is part of every key id we have published.
import { exportJwk, generateCryptoKeyPair, importJwk } from "@fedify/fedify";
import type { Db } from "../server/db/database.ts";
import type { KeyAlgorithm } from "./federation.tables.ts";

const ORDER: readonly KeyAlgorithm[] = ["RSASSA-PKCS1-v1_5", "Ed25519"];
const CACHE_SIZE = 500;

export interface StoredKeyPair {
  algorithm: KeyAlgorithm;
  publicJwk: JsonWebKey;
  privateJwk: JsonWebKey;
}

/** A key pair of the kind actors use: RSA-2048 (signatures) or Ed25519 (integrity proofs). */
export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  if (algorithm === "Ed25519") return generateCryptoKeyPair("Ed25519");
  // Fedify's generator makes RSA-4096 keys; 2048 bits is what the fediverse uses and is far cheaper.
  return crypto.subtle.generateKey(
    {
      name: "RSASSA-PKCS1-v1_5",
      modulusLength: 2048,
      publicExponent: new Uint8Array([1, 0, 1]),
      hash: "SHA-256",
    },
    true,
    ["sign", "verify"],
  );
}

export class ActorKeys {
  readonly #db: Db;
  readonly #stored = new Map<string, Promise<StoredKeyPair[]>>();
  readonly #imported = new Map<string, Promise<CryptoKeyPair[]>>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** The actor's key pairs as JWKs, in publication order; generated and stored on first use. */
  stored(actor: string): Promise<StoredKeyPair[]> {
    return this.#remember(this.#stored, actor, () => this.#load(actor));
  }

  /** The same key pairs as CryptoKeys, for Fedify's key-pairs dispatcher. */
  pairs(actor: string): Promise<CryptoKeyPair[]> {
    return this.#remember(this.#imported, actor, async () =>
      Promise.all(
        (await this.stored(actor)).map(async (k) => ({
          publicKey: await importJwk(k.publicJwk, "public"),
          privateKey: await importJwk(k.privateJwk, "private"),
        })),
      ),
    );
  }

  #remember<T>(cache: Map<string, Promise<T>>, actor: string, load: () => Promise<T>) {
    let value = cache.get(actor);
    if (!value) {
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      value = load();
      value.catch(() => cache.delete(actor));
      cache.set(actor, value);
    }
    return value;
  }

  async #load(actor: string): Promise<StoredKeyPair[]> {
    let rows = await this.#select(actor);
    const missing = ORDER.filter((a) => !rows.some((r) => r.algorithm === a));
    if (missing.length > 0) {
      for (const algorithm of missing) {
        const pair = await generateKeyPair(algorithm);
        // Another process may have generated the same key meanwhile: the first one stays.
        await this.#db
          .insertInto("federation_keys")
          .values({
            actor,
            algorithm,
            public_jwk: JSON.stringify(await exportJwk(pair.publicKey)),
            private_jwk: JSON.stringify(await exportJwk(pair.privateKey)),
          })
          .onConflict((oc) => oc.columns(["actor", "algorithm"]).doNothing())
          .execute();
      }
      rows = await this.#select(actor);
    }
    return ORDER.map((algorithm) => {
      const row = rows.find((r) => r.algorithm === algorithm)!;
      return { algorithm, publicJwk: row.public_jwk, privateJwk: row.private_jwk };
    });
  }

  #select(actor: string) {
    return this.#db
      .selectFrom("federation_keys")
      .select(["algorithm", "public_jwk", "private_jwk"])
      .where("actor", "=", actor)
      .execute();
  }
}

/** Fedify's key id for the key at `index` of an actor (`#main-key`, then `#key-2`, …). */
export function keyIndexFromId(keyId: URL): number | undefined {
  if (keyId.hash === "#main-key") return 0;
  const match = /^#key-(\d+)$/.exec(keyId.hash);
  return match ? Number(match[1]) - 1 : undefined;
}

/**
 * The id under which an actor publishes the key Fedify's messages name `keyId`, as a Multikey
 * (`assertionMethod`, FEP-521a): `#multikey-N` for `#key-N`. Only the first key is also a
 * `publicKey`, so a signature made with another (Ed25519) names its Multikey to be verifiable.
 */
export function multikeyId(keyId: string): string {
  const url = new URL(keyId);
  const index = keyIndexFromId(url);
  if (index === undefined) return keyId;
  url.hash = `#multikey-${index + 1}`;
  return url.href;
}
