// Fedify's key-value store over the federation_kv table, so its caches and idempotence records
// survive restarts and are shared by every process of the instance. With Redis, the inbox's
// idempotence records live there instead (ADR 0170).
import type { KvKey, KvStore, KvStoreListEntry, KvStoreSetOptions } from "@fedify/fedify";
import type { Redis } from "ioredis";
import { sql } from "kysely";
import type { Db } from "../server/db/database.ts";

const SEP = "\u001f";

function encode(key: KvKey): string {
  return key.join(SEP);
}

function expiry(options?: KvStoreSetOptions): Date | null {
  return options?.ttl ? new Date(Date.now() + options.ttl.total("millisecond")) : null;
}

const live = sql<boolean>`(expires_at is null or expires_at > now())`;

/**
 * Keys read on every delivery or inbox POST whose value almost never changes: which HTTP
 * signature scheme a peer accepts, and the public keys Fedify verified (read again by Fedify's
 * own check of every activity the inbox gate has just verified). Kept in memory for a while (no
 * longer than their own lifetime), and written only when they change, so a fan-out or a burst
 * of activities does not read the same row a thousand times (ADR 0155, 0165). Another process's
 * change is seen here within the lifetime; a key rotated meanwhile fails to verify, and Fedify
 * then fetches it again and writes it here.
 */
const MEMORY_PREFIXES = [
  `_fedify${SEP}httpMessageSignaturesSpec${SEP}`,
  `_fedify${SEP}publicKey${SEP}`,
];
const MEMORY_MS = 10 * 60_000;

/**
 * The record Fedify's inbox worker reads before and writes after handling each activity (kept a
 * day, so that an activity delivered twice is handled once). Two statements per activity in
 * the database; with Redis (already there for the job queue, shared by every process), two
 * commands instead (ADR 0170). Fedify never lists or compares-and-sets these keys.
 */
const REDIS_PREFIXES = [`_fedify${SEP}activityIdempotence${SEP}`];

export interface KvRedis {
  redis: Redis;
  /** Namespaces the keys like the rest of the instance's Redis keys (REDIS_PREFIX). */
  prefix: string;
}

export class DbKvStore implements KvStore {
  readonly #db: Db;
  readonly #redis: KvRedis | undefined;
  readonly #memory = new Map<string, { value: unknown; until: number }>();
  /** Reads of memory-kept keys under way: a fan-out's lanes asking for the same peer's scheme at
   * once share one statement instead of one each (ADR 0174). */
  readonly #reading = new Map<string, Promise<unknown>>();

  constructor(db: Db, redis?: KvRedis) {
    this.#db = db;
    this.#redis = redis;
  }

  /** The Redis key of `encoded`, when it is kept in Redis. */
  #inRedis(encoded: string): string | undefined {
    if (!this.#redis || !REDIS_PREFIXES.some((p) => encoded.startsWith(p))) return undefined;
    return `${this.#redis.prefix}:kv:${encoded}`;
  }

  async get<T = unknown>(key: KvKey): Promise<T | undefined> {
    const encoded = encode(key);
    const redisKey = this.#inRedis(encoded);
    if (redisKey) {
      const value = await this.#redis!.redis.get(redisKey);
      return value === null ? undefined : (JSON.parse(value) as T);
    }
    if (!MEMORY_PREFIXES.some((p) => encoded.startsWith(p))) return this.#get<T>(key);
    const kept = this.#memory.get(encoded);
    if (kept && kept.until > Date.now()) return kept.value as T | undefined;
    let reading = this.#reading.get(encoded);
    if (!reading) {
      const read: Promise<unknown> = this.#get<T>(key).then((value) => {
        // Remembered only when nothing was written meanwhile (a write forgets the read).
        if (this.#reading.get(encoded) === read) this.#remember(encoded, value);
        return value;
      });
      const forget = () => {
        if (this.#reading.get(encoded) === read) this.#reading.delete(encoded);
      };
      void read.then(forget, forget);
      this.#reading.set(encoded, (reading = read));
    }
    return (await reading) as T | undefined;
  }

  #remember(encoded: string, value: unknown, ttlMs = MEMORY_MS): void {
    if (this.#memory.size >= 10_000) this.#memory.clear();
    this.#memory.set(encoded, { value, until: Date.now() + Math.min(MEMORY_MS, ttlMs) });
  }

  async #get<T>(key: KvKey): Promise<T | undefined> {
    const row = await this.#db
      .selectFrom("federation_kv")
      .select("value")
      .where("key", "=", encode(key))
      .where(live)
      .executeTakeFirst();
    return row?.value as T | undefined;
  }

  async set(key: KvKey, value: unknown, options?: KvStoreSetOptions): Promise<void> {
    const encoded = encode(key);
    const redisKey = this.#inRedis(encoded);
    if (redisKey) {
      const json = JSON.stringify(value);
      const ms = options?.ttl ? Math.max(1, Math.ceil(options.ttl.total("millisecond"))) : 0;
      await (ms
        ? this.#redis!.redis.set(redisKey, json, "PX", ms)
        : this.#redis!.redis.set(redisKey, json));
      return;
    }
    if (MEMORY_PREFIXES.some((p) => encoded.startsWith(p))) {
      this.#reading.delete(encoded);
      const kept = this.#memory.get(encoded);
      if (kept && kept.until > Date.now() && kept.value === value && !options?.ttl) return;
      this.#remember(encoded, value, options?.ttl?.total("millisecond"));
    }
    await this.#db
      .insertInto("federation_kv")
      .values({ key: encode(key), value: JSON.stringify(value), expires_at: expiry(options) })
      .onConflict((oc) =>
        oc.column("key").doUpdateSet((eb) => ({
          value: eb.ref("excluded.value"),
          expires_at: eb.ref("excluded.expires_at"),
        })),
      )
      .execute();
  }

  async delete(key: KvKey): Promise<void> {
    const redisKey = this.#inRedis(encode(key));
    if (redisKey) await this.#redis!.redis.del(redisKey);
    this.#memory.delete(encode(key));
    this.#reading.delete(encode(key));
    await this.#db.deleteFrom("federation_kv").where("key", "=", encode(key)).execute();
  }

  async cas(
    key: KvKey,
    expectedValue: unknown,
    newValue: unknown,
    options?: KvStoreSetOptions,
  ): Promise<boolean> {
    this.#memory.delete(encode(key));
    this.#reading.delete(encode(key));
    const values = {
      key: encode(key),
      value: JSON.stringify(newValue),
      expires_at: expiry(options),
    };
    if (expectedValue === undefined) {
      // Absent, or present but expired, counts as undefined.
      const row = await this.#db
        .insertInto("federation_kv")
        .values(values)
        .onConflict((oc) =>
          oc
            .column("key")
            .doUpdateSet((eb) => ({
              value: eb.ref("excluded.value"),
              expires_at: eb.ref("excluded.expires_at"),
            }))
            .where(sql<boolean>`federation_kv.expires_at <= now()`),
        )
        .returning("key")
        .executeTakeFirst();
      return row !== undefined;
    }
    const row = await this.#db
      .updateTable("federation_kv")
      .set({ value: values.value, expires_at: values.expires_at })
      .where("key", "=", values.key)
      .where(sql<boolean>`value = ${JSON.stringify(expectedValue)}::jsonb`)
      .where(live)
      .returning("key")
      .executeTakeFirst();
    return row !== undefined;
  }

  async *list(prefix?: KvKey): AsyncIterable<KvStoreListEntry> {
    let query = this.#db.selectFrom("federation_kv").select(["key", "value"]).where(live);
    if (prefix && prefix.length > 0) {
      const p = encode(prefix);
      query = query.where((eb) =>
        eb.or([eb("key", "=", p), eb(sql<boolean>`starts_with(key, ${p + SEP})`, "=", true)]),
      );
    }
    for (const row of await query.orderBy("key").execute()) {
      yield { key: row.key.split(SEP) as unknown as KvKey, value: row.value };
    }
  }

  /** Drops expired entries (run periodically). */
  async prune(): Promise<void> {
    await this.#db.deleteFrom("federation_kv").where("expires_at", "<=", new Date()).execute();
  }
}
