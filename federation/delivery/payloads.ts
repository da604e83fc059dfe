// A fan-out's activity is kept once (federation_delivery_payloads, ADR 0156): its delivery rows
// name it by the SHA-256 of its JSON. A single delivery's row (a retry Fedify queues, a reply to
// one actor) keeps its activity in its own message, as before.
import { createHash } from "node:crypto";
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import { bodyOf, type Body } from "./sender.ts";

/** Keeps each distinct activity of `activities` once; gives each one's hash. */
export async function keepPayloads(
  db: Db,
  activities: readonly unknown[],
): Promise<Map<unknown, string>> {
  const hashes = new Map<unknown, string>();
  for (const activity of activities) {
    if (hashes.has(activity)) continue;
    const text = JSON.stringify(activity);
    const hash = createHash("sha256").update(text).digest("hex");
    hashes.set(activity, hash);
    // Refreshed when already kept, so that the pruning below never takes it from under new rows.
    await db
      .insertInto("federation_delivery_payloads")
      .values({ hash, activity: text })
      .onConflict((oc) => oc.column("hash").doUpdateSet({ created_at: new Date() }))
      .execute();
  }
  return hashes;
}

/** The activities of these hashes, by hash (a pruned one is absent). */
export async function readPayloads(
  db: Db,
  hashes: readonly string[],
): Promise<Map<string, unknown>> {
  if (hashes.length === 0) return new Map();
  const rows = await db
    .selectFrom("federation_delivery_payloads")
    .select(["hash", "activity"])
    .where("hash", "in", [...new Set(hashes)])
    .execute();
  return new Map(rows.map((r) => [r.hash, r.activity]));
}

/** Activities kept in memory, by hash. */
const CACHED = 64;

/**
 * The activities of a fan-out as its batch jobs read them, with their body as sent (ADR 0174):
 * a fan-out to a thousand inboxes on twenty hosts is twenty batch jobs; each read the activity
 * again, parsed it and serialised and hashed its body. A hash names one content, so what is
 * kept here never goes stale; the body is the one made from the activity as read back (jsonb's
 * key order), byte for byte what each job sent before.
 */
export class PayloadCache {
  readonly #kept = new Map<string, { activity: unknown; body?: Body }>();

  /** The activities of these hashes, by hash (a pruned one is absent), read once per process. */
  async read(db: Db, hashes: readonly string[]): Promise<Map<string, unknown>> {
    const missing = [...new Set(hashes)].filter((h) => !this.#kept.has(h));
    for (const [hash, activity] of await readPayloads(db, missing)) {
      if (this.#kept.size >= CACHED) this.#kept.delete(this.#kept.keys().next().value!);
      this.#kept.set(hash, { activity });
    }
    const found = new Map<string, unknown>();
    for (const hash of hashes) {
      const kept = this.#kept.get(hash);
      if (kept) found.set(hash, kept.activity);
    }
    return found;
  }

  /** The body of a kept activity, serialised and hashed once. */
  body(hash: string): Body | undefined {
    const kept = this.#kept.get(hash);
    return kept && (kept.body ??= bodyOf(kept.activity));
  }
}

/** Activities no delivery row names any more (rows are kept a day, dead ones a month). */
export async function prunePayloads(db: Db): Promise<void> {
  await db
    .deleteFrom("federation_delivery_payloads")
    .where("created_at", "<", sql<Date>`now() - interval '2 days'`)
    .where(
      sql<boolean>`not exists (select 1 from federation_deliveries d
        where d.message->>'payload' = federation_delivery_payloads.hash)`,
    )
    .execute();
}
