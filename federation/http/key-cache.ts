// The inbox gate's cache of verified keys, and its single-flight loader: a burst of activities
// from an actor never seen before fetches its key once, not once per activity (ADR 0155).
import "../temporal.ts";
import { CryptographicKey, Multikey } from "@fedify/vocab";
import type { DocumentLoader, KeyCache, KvStore } from "@fedify/fedify";

const KEY_MS = 3600_000;

/** Where Fedify's own inbox verification keeps the keys it fetched (its default prefix). */
const FEDIFY_KEYS = ["_fedify", "publicKey"] as const;

/**
 * Keys that verified a signature, kept where Fedify's own verification of the same activity
 * (next, in the same request) and the other processes look for them (`federation_kv`), so that
 * the key is fetched once, not by the gate and again by Fedify. A key that fails to verify is
 * fetched again by Fedify (the actor rotated it): an old entry costs one refetch, never a
 * refusal. Failures are not kept: the next activity tries again (one fetch at a time).
 */
export class GateKeyCache implements KeyCache {
  readonly #kv: KvStore;
  readonly #loaders: { documentLoader: DocumentLoader; contextLoader: DocumentLoader };
  /**
   * The key parsed from each stored value the store handed out: the store keeps verified keys in
   * memory (federation/kv.ts), and the same value is parsed once, not for every activity (a
   * JSON-LD expansion and a key import; issue 15). A value read again or replaced (Fedify fetched
   * a rotated key) is another object, parsed anew.
   */
  readonly #parsed = new WeakMap<object, CryptographicKey | Multikey>();

  constructor(
    kv: KvStore,
    loaders: { documentLoader: DocumentLoader; contextLoader: DocumentLoader },
  ) {
    this.#kv = kv;
    this.#loaders = loaders;
  }

  async get(keyId: URL): Promise<CryptographicKey | Multikey | undefined> {
    const stored = await this.#kv.get([...FEDIFY_KEYS, keyId.href]);
    if (!stored || typeof stored !== "object") return undefined;
    const kept = this.#parsed.get(stored);
    if (kept) return kept;
    const key = await CryptographicKey.fromJsonLd(stored, this.#loaders).catch(() =>
      Multikey.fromJsonLd(stored, this.#loaders).catch(() => undefined),
    );
    if (key) this.#parsed.set(stored, key);
    return key;
  }

  async set(keyId: URL, key: CryptographicKey | Multikey | null): Promise<void> {
    if (key === null) return;
    const stored = (await key.toJsonLd(this.#loaders)) as object;
    this.#parsed.set(stored, key);
    await this.#kv.set([...FEDIFY_KEYS, keyId.href], stored, {
      ttl: Temporal.Duration.from({ milliseconds: KEY_MS }),
    });
  }
}

/** The promise already running under `key` in `running`, or `start()`'s, shared until it settles. */
export function sharedRun<T>(
  running: Map<string, Promise<T>>,
  key: string,
  start: () => Promise<T>,
): Promise<T> {
  const pending = running.get(key);
  if (pending) return pending;
  const started = start().finally(() => running.delete(key));
  running.set(key, started);
  return started;
}

/** Concurrent loads of the same URL share one request and its answer (or its failure). */
export function singleFlight(load: DocumentLoader): DocumentLoader {
  const running = new Map<string, ReturnType<DocumentLoader>>();
  return (url, options) => sharedRun(running, url, () => load(url, options));
}
