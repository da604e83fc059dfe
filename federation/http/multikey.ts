// RFC 9421 signatures made with an Ed25519 key published only as a Multikey in the actor's
// `assertionMethod` (FEP-521a: Mitra, tootik). Fedify 2.3.6's verifyRequest looks a keyid up
// among the actor's `publicKey` entries only, so it never finds such a key and the POST is
// refused; but it takes a cached CryptographicKey of that id without fetching anything. So the
// gate, before verifying, finds the Multikey itself and hands verifyRequest a key cache that
// answers it as a CryptographicKey owned by its actor (ADR 0176). Nothing here admits a request:
// the key must still verify the signature.
import { CryptographicKey, Multikey, Object as ApObject, isActor } from "@fedify/vocab";
import type { DocumentLoader, KeyCache } from "@fedify/fedify";
import type { Logger } from "pino";
import { tolerate } from "../tolerate.ts";
import { sharedRun } from "./key-cache.ts";

export interface MultikeyDeps {
  log: Logger;
  documentLoader: DocumentLoader;
  contextLoader: DocumentLoader;
  keyCache: KeyCache;
}

/** Each Signature-Input member's parameters (`sig1=(...);keyid="...";alg="ed25519"`). */
function signatureParameters(header: string): Map<string, string>[] {
  const members: Map<string, string>[] = [];
  const member =
    /[a-z*][a-z0-9_.*-]*=\([^)]*\)((?:;[a-z*][a-z0-9_.*-]*(?:=(?:"(?:[^"\\]|\\.)*"|[^;,\s"]*))?)*)/gi;
  const parameter = /;([a-z*][a-z0-9_.*-]*)(?:=("(?:[^"\\]|\\.)*"|[^;,\s"]*))?/gi;
  for (const [, params] of header.matchAll(member)) {
    const found = new Map<string, string>();
    for (const [, name, value = ""] of params!.matchAll(parameter)) {
      const text = value.startsWith('"') ? value.slice(1, -1).replace(/\\(.)/g, "$1") : value;
      found.set(name!.toLowerCase(), text);
    }
    members.push(found);
  }
  return members;
}

/** Whether `headers` carry an RFC 9421 signature by `keyId` that says it is Ed25519. */
export function signsWithEd25519(headers: Headers, keyId: URL): boolean {
  const input = headers.get("signature-input");
  if (!input) return false;
  // Compared as URLs, as the gate and Fedify read the keyid.
  const named = (raw: string | undefined) => URL.parse(raw ?? "")?.href === keyId.href;
  return signatureParameters(input).some(
    (params) => named(params.get("keyid")) && params.get("alg")?.toLowerCase() === "ed25519",
  );
}

/**
 * The Ed25519 Multikey `keyId` names, as a CryptographicKey owned by its actor, when the keyid's
 * document is an actor listing it in `assertionMethod` and controlling it; undefined otherwise.
 */
async function multikeyAsCryptographicKey(
  deps: MultikeyDeps,
  keyId: URL,
): Promise<CryptographicKey | undefined> {
  const loaders = { documentLoader: deps.documentLoader, contextLoader: deps.contextLoader };
  // The same URL Fedify would load (its fragment is not sent), so a lookup that finds nothing
  // and Fedify's own try after it share one fetch (the loader is single-flight and cached).
  const { document } = await deps.documentLoader(keyId.href);
  const actor = await ApObject.fromJsonLd(document, loaders);
  if (!isActor(actor) || !actor.id) return undefined;
  // A host speaks for its own actors only: a document of another origin naming itself some
  // other server's actor must not make a key that signs for that actor.
  if (actor.id.origin !== keyId.origin) return undefined;
  // Only the entry named: an actor listing many keys by reference does not cost a fetch each.
  if (!actor.assertionMethodIds.some((id) => id.href === keyId.href)) return undefined;
  for await (const method of actor.getAssertionMethods({ ...loaders, suppressError: true })) {
    if (!(method instanceof Multikey) || method.id?.href !== keyId.href) continue;
    if (method.controllerId?.href !== actor.id.href) return undefined;
    const publicKey = method.publicKey;
    if (publicKey?.algorithm.name !== "Ed25519") return undefined;
    return new CryptographicKey({ id: keyId, owner: actor.id, publicKey });
  }
  return undefined;
}

/** Lookups under way, per key cache (tests run several instances in one process). */
const running = new WeakMap<KeyCache, Map<string, Promise<CryptographicKey | undefined>>>();
/** Keys found, per key cache: kept here rather than only in the shared store, where Fedify's
 * check of an integrity proof by the same key replaces them with the Multikey it wants. */
const found = new WeakMap<KeyCache, Map<string, { at: number; key: CryptographicKey }>>();
const KEEP_MS = 3600_000;
const MAX_KEYS = 2_000;

function perCache<T>(maps: WeakMap<KeyCache, Map<string, T>>, cache: KeyCache): Map<string, T> {
  let map = maps.get(cache);
  if (!map) maps.set(cache, (map = new Map()));
  return map;
}

/** A Multikey Fedify kept after checking an integrity proof (it found it in the actor's
 * `assertionMethod`), as the CryptographicKey verifyRequest takes; no fetch. */
function fromKeptMultikey(kept: unknown, keyId: URL): CryptographicKey | undefined {
  if (!(kept instanceof Multikey) || kept.id?.href !== keyId.href) return undefined;
  const controller = kept.controllerId;
  if (!controller || controller.origin !== keyId.origin) return undefined;
  if (kept.publicKey?.algorithm.name !== "Ed25519") return undefined;
  return new CryptographicKey({ id: keyId, owner: controller, publicKey: kept.publicKey });
}

/**
 * The key cache the gate verifies an RFC 9421 Ed25519 signature by `keyId` with: the shared one,
 * answering for `keyId` the actor's Ed25519 Multikey as a CryptographicKey when the store holds
 * no CryptographicKey of that id. The key is also put in the store when it holds nothing, for
 * Fedify's own check of a request without an integrity proof. Never throws; without such a key
 * the verification refuses as before.
 */
export async function multikeyAware(
  deps: MultikeyDeps,
  headers: Headers,
  keyId: URL,
): Promise<KeyCache> {
  if (!signsWithEd25519(headers, keyId)) return deps.keyCache;
  const keys = perCache(found, deps.keyCache);
  let key = keys.get(keyId.href);
  if (!key || Date.now() - key.at > KEEP_MS) {
    const resolved = await tolerate(
      (async () => {
        const cached = await deps.keyCache.get(keyId);
        // What Fedify's lookup takes (a `publicKey` entry): nothing to add.
        if (cached instanceof CryptographicKey && cached.publicKey) return undefined;
        const kept = fromKeptMultikey(cached, keyId);
        if (kept) return kept;
        // A burst of activities signed by a key not seen before looks it up once.
        const looked = await sharedRun(perCache(running, deps.keyCache), keyId.href, () =>
          multikeyAsCryptographicKey(deps, keyId),
        );
        if (looked && cached === undefined) await deps.keyCache.set(keyId, looked);
        return looked;
      })(),
      undefined,
      deps.log.child({ keyId: keyId.href }),
      "looking up an Ed25519 Multikey",
    );
    if (!resolved) return deps.keyCache;
    if (keys.size >= MAX_KEYS) keys.delete(keys.keys().next().value!);
    keys.set(keyId.href, (key = { at: Date.now(), key: resolved }));
  }
  const answer = key.key;
  return {
    get: async (id) => (id.href === keyId.href ? answer : deps.keyCache.get(id)),
    set: (id, value) => deps.keyCache.set(id, value),
  };
}

/** After a signature by `keyId` failed to verify: its key is looked up again next time (the
 * actor may have replaced it). */
export function forgetMultikey(keyCache: KeyCache, keyId: URL): void {
  found.get(keyCache)?.delete(keyId.href);
}
