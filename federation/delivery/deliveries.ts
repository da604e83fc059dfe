// Delivery tracking: one row per (activity, target inbox), keyed by Fedify's message id, which
// stays the same across retries. Fedify signs and sends; we record each attempt's outcome, refuse
// targets the policy no longer allows, and let admins see and retry deliveries per instance.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Message } from "@fedify/fedify";
import { validatePublicUrl } from "@fedify/vocab-runtime";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Db } from "../../server/db/database.ts";
import type { JobQueue } from "../../server/jobs/queue.ts";
import { deliveryAnswers, describeFailure } from "../http/outgoing.ts";
import { hostOf } from "../uris.ts";
import { withRealAnswer } from "./retries.ts";
import { keepPayloads, PayloadCache, prunePayloads } from "./payloads.ts";
import { batchChecks } from "./batch-checks.ts";
import { bodyOf, type Body } from "./sender.ts";

export type OutboxMessage = Extract<Message, { type: "outbox" }>;
type StoredKey = { keyId: string };
/** As kept in a delivery's row: key ids only; a fan-out's activity by the hash of its payload. */
export type StoredOutboxMessage = Omit<OutboxMessage, "keys" | "activity"> & {
  keys: StoredKey[];
  activity?: unknown;
  payload?: string;
};

/** Deliveries per batch job (and per insert statement), and sends in flight per batch job (over
 * the worker's concurrent jobs: WORKER_CONCURRENCY × this per process). */
const BATCH_SIZE = 50;
const SENDS_PER_BATCH = 8;
/** A fan-out's chunks written at once (each on its own connection of the pool). */
const WRITERS = 4;

interface Outcome {
  error?: string;
  retried: boolean;
  /** HTTP statuses of this attempt's requests, in order. */
  answers: number[];
}

export interface DeliveryChecks {
  allowed(host: string): Promise<boolean>;
  /** False in tests and local trials (FEDERATION_ALLOW_PRIVATE_ADDRESSES). */
  publicOnly: boolean;
  restoreKeys(keys: StoredKey[]): Promise<OutboxMessage["keys"]>;
  send(message: OutboxMessage): Promise<void>;
  /** The fast path of a first try (sender.ts): true when the peer answered 2xx. Anything else
   * (an error, another status) leaves the delivery to `send`, Fedify's full path. */
  sendFirst?(message: OutboxMessage, body: Body): Promise<boolean>;
}

export interface HostSummary {
  host: string;
  pending: number;
  failing: number;
  dead: number;
  delivered: number;
  lastDeliveredAt: Date | null;
  lastError: string | null;
}

// With its causes: "fetch failed" alone does not say the address was refused.
const describe = describeFailure;

export class Deliveries {
  readonly #db: Db;
  readonly #queue: JobQueue;
  readonly #log: Logger;
  readonly #attempt = new AsyncLocalStorage<Outcome>();
  readonly #payloads = new PayloadCache();

  constructor(db: Db, queue: JobQueue, log: Logger) {
    this.#db = db;
    this.#queue = queue;
    this.#log = log;
  }

  /**
   * A fan-out (Fedify's enqueueMany: first tries only): one job per host and chunk of inboxes, so
   * that the worker reads, sends and records them together over the host's kept-alive
   * connections (ADR 0155). Each chunk's rows are written, then its job queued, chunk after
   * chunk: the first deliveries leave while the rest of a large fan-out is still being written
   * (ADR 0156).
   */
  async enqueueMany(messages: readonly OutboxMessage[]): Promise<void> {
    if (this.#attempt.getStore()) {
      for (const message of messages) await this.enqueue(message, 0);
      return;
    }
    const payloads = await keepPayloads(
      this.#db,
      messages.map((m) => m.activity),
    );
    const byHost = new Map<string, OutboxMessage[]>();
    for (const message of messages) {
      const host = hostOf(message.inbox);
      const list = byHost.get(host) ?? [];
      list.push(message);
      byHost.set(host, list);
    }
    const chunks: { host: string; chunk: OutboxMessage[] }[] = [];
    for (const [host, list] of byHost)
      for (let i = 0; i < list.length; i += BATCH_SIZE)
        chunks.push({ host, chunk: list.slice(i, i + BATCH_SIZE) });
    let next = 0;
    const writer = async () => {
      while (next < chunks.length) {
        const { host, chunk } = chunks[next++]!;
        await this.#db
          .insertInto("federation_deliveries")
          .values(
            chunk.map((message) => ({
              id: message.id,
              host,
              inbox: message.inbox,
              activity_id: message.activityId ?? null,
              activity_type: message.activityType,
              status: message.attempt === 0 ? ("pending" as const) : ("failing" as const),
              attempts: message.attempt,
              last_error: null,
              message: JSON.stringify({
                ...message,
                activity: undefined,
                payload: payloads.get(message.activity),
                keys: message.keys.map((k) => ({ keyId: k.keyId })),
              } satisfies StoredOutboxMessage),
              // The database's clock: no two dates to convert and send per row.
              next_attempt_at: sql<Date>`now()`,
              updated_at: sql<Date>`now()`,
            })),
          )
          .onConflict((oc) => oc.column("id").doNothing())
          .execute();
        await this.#queue.enqueue("federation.deliverBatch", {
          deliveries: chunk.map((m) => ({ deliveryId: m.id, attempt: m.attempt })),
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(WRITERS, chunks.length) }, writer));
  }

  /** Fedify's outbox queue: a first try, or a retry decided by Fedify after a failed attempt. */
  async enqueue(message: OutboxMessage, delayMs: number): Promise<void> {
    const outcome = this.#attempt.getStore();
    if (outcome) outcome.retried = true;
    const stored: StoredOutboxMessage = {
      ...message,
      keys: message.keys.map((k) => ({ keyId: k.keyId })),
    };
    const values = {
      status: message.attempt === 0 ? ("pending" as const) : ("failing" as const),
      attempts: message.attempt,
      last_error: outcome?.error ?? null,
      message: JSON.stringify(stored),
      next_attempt_at: new Date(Date.now() + delayMs),
      updated_at: new Date(),
    };
    await this.#db
      .insertInto("federation_deliveries")
      .values({
        id: message.id,
        host: hostOf(message.inbox),
        inbox: message.inbox,
        activity_id: message.activityId ?? null,
        activity_type: message.activityType,
        ...values,
      })
      .onConflict((oc) => oc.column("id").doUpdateSet(values))
      .execute();
    await this.#queue.enqueue(
      "federation.deliver",
      { deliveryId: message.id, attempt: message.attempt },
      { delayMs },
    );
  }

  /** Called by Fedify for every failed attempt, before it decides to retry or give up. */
  noteError(error: unknown): void {
    const outcome = this.#attempt.getStore();
    if (outcome) outcome.error = withRealAnswer(describe(error), outcome.answers);
  }

  async deliver(deliveryId: string, attempt: number, checks: DeliveryChecks): Promise<void> {
    await this.deliverBatch([{ deliveryId, attempt }], checks);
  }

  /**
   * Deliveries of one batch job (usually one host): read together, sent a few at a time over
   * the host's kept-alive connections, the successes recorded in one statement. A batch run
   * again after a crash skips what is already delivered, as a single delivery's job does.
   */
  async deliverBatch(
    deliveries: readonly { deliveryId: string; attempt: number }[],
    checks: DeliveryChecks,
  ): Promise<void> {
    if (deliveries.length === 0) return;
    const expected = new Map(deliveries.map((d) => [d.deliveryId, d.attempt]));
    const rows = await this.#db
      .selectFrom("federation_deliveries")
      .select(["id", "host", "inbox", "status", "attempts", "message"])
      .where("id", "in", [...expected.keys()])
      .execute();
    // A stale job: delivered, dead, or superseded by a retry an admin asked for.
    const due = rows.filter(
      (r) => r.attempts === expected.get(r.id) && r.status !== "delivered" && r.status !== "dead",
    );
    const activities = await this.#payloads.read(
      this.#db,
      due.flatMap((r) => {
        const stored = r.message as StoredOutboxMessage;
        return stored.payload && stored.activity === undefined ? [stored.payload] : [];
      }),
    );
    const delivered: string[] = [];
    // First tries take the fast path until one of them is not a plain success: the rest of the
    // batch (most often the same host) then goes through Fedify, as retries always do.
    const fast = { on: checks.sendFirst !== undefined, bodies: new Map<string, Body>() };
    const shared = batchChecks(checks);
    let next = 0;
    const lane = async () => {
      while (next < due.length) {
        const row = due[next++]!;
        const outcome = await this.#attemptOne(row, activities, shared, fast);
        if (outcome === "delivered") delivered.push(row.id);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SENDS_PER_BATCH, due.length) }, lane));
    if (delivered.length > 0)
      await this.#db
        .updateTable("federation_deliveries")
        .set((eb) => ({
          status: "delivered",
          attempts: eb("attempts", "+", 1),
          last_error: null,
          next_attempt_at: null,
          updated_at: new Date(),
        }))
        .where("id", "in", delivered)
        .execute();
  }

  /** One try of one delivery; "delivered" is left to the caller to record. */
  async #attemptOne(
    row: { id: string; host: string; inbox: string; attempts: number; message: unknown },
    activities: ReadonlyMap<string, unknown>,
    checks: DeliveryChecks,
    fast: { on: boolean; bodies: Map<string, Body> },
  ): Promise<"delivered" | "done"> {
    if (!(await checks.allowed(row.host))) {
      await this.#refuse(row.id, "instance not allowed by the federation policy");
      return "done";
    }
    if (checks.publicOnly) {
      try {
        await validatePublicUrl(row.inbox);
      } catch (error) {
        await this.#refuse(row.id, describe(error));
        return "done";
      }
    }
    const { payload, ...stored } = row.message as StoredOutboxMessage;
    const activity = stored.activity ?? (payload ? activities.get(payload) : undefined);
    if (activity === undefined) {
      await this.#refuse(row.id, "its activity is no longer kept");
      return "done";
    }
    const message: OutboxMessage = {
      ...stored,
      activity,
      keys: await checks.restoreKeys(stored.keys),
    } as OutboxMessage;
    if (fast.on && row.attempts === 0 && checks.sendFirst) {
      // One body (and digest) per activity: a fan-out's once per process, another's per batch.
      const cacheKey = message.activityId ?? row.id;
      let body = payload ? this.#payloads.body(payload) : fast.bodies.get(cacheKey);
      if (!body) fast.bodies.set(cacheKey, (body = bodyOf(message.activity)));
      const ok = await checks.sendFirst(message, body).catch(() => false);
      if (ok) return "delivered";
      fast.on = false;
    }
    const outcome: Outcome = { retried: false, answers: [] };
    await this.#attempt.run(outcome, () =>
      deliveryAnswers.run(outcome.answers, () => checks.send(message)),
    );
    if (outcome.error === undefined) return "delivered";
    if (!outcome.retried) await this.#finish(row.id, "dead", outcome.error);
    return "done";
  }

  /** After an attempt: delivered, or abandoned by Fedify (48 h elapsed, 404/410). */
  async #finish(id: string, status: "delivered" | "dead", error: string | null): Promise<void> {
    if (status === "dead") this.#log.warn({ delivery: id, err: error }, "delivery abandoned");
    await this.#db
      .updateTable("federation_deliveries")
      .set((eb) => ({
        status,
        attempts: eb("attempts", "+", 1),
        last_error: error,
        next_attempt_at: null,
        updated_at: new Date(),
      }))
      .where("id", "=", id)
      .execute();
  }

  /** Abandoned without sending anything. */
  async #refuse(id: string, reason: string): Promise<void> {
    this.#log.info({ delivery: id, reason }, "delivery refused");
    await this.#db
      .updateTable("federation_deliveries")
      .set({
        status: "dead",
        last_error: `refused: ${reason}`,
        next_attempt_at: null,
        updated_at: new Date(),
      })
      .where("id", "=", id)
      .execute();
  }

  async summary(): Promise<HostSummary[]> {
    const rows = await this.#db
      .selectFrom("federation_deliveries as d")
      .select([
        "d.host",
        sql<number>`count(*) filter (where d.status = 'pending')`.as("pending"),
        sql<number>`count(*) filter (where d.status = 'failing')`.as("failing"),
        sql<number>`count(*) filter (where d.status = 'dead')`.as("dead"),
        sql<number>`count(*) filter (where d.status = 'delivered')`.as("delivered"),
        sql<Date | null>`max(d.updated_at) filter (where d.status = 'delivered')`.as(
          "last_delivered_at",
        ),
        sql<string | null>`(array_agg(d.last_error order by d.updated_at desc)
          filter (where d.status in ('failing', 'dead')))[1]`.as("last_error"),
      ])
      .groupBy("d.host")
      .orderBy("d.host")
      .execute();
    return rows.map((r) => ({
      host: r.host,
      pending: Number(r.pending),
      failing: Number(r.failing),
      dead: Number(r.dead),
      delivered: Number(r.delivered),
      lastDeliveredAt: r.last_delivered_at ? new Date(r.last_delivered_at) : null,
      lastError: r.last_error,
    }));
  }

  /** Tries the dead and failing deliveries to one instance again now, with a fresh 48 h. */
  async retryHost(host: string): Promise<number> {
    const now = new Date();
    const rows = await this.#db
      .updateTable("federation_deliveries")
      .set({
        status: "pending",
        attempts: 0,
        next_attempt_at: now,
        updated_at: now,
        message: sql`jsonb_set(jsonb_set(message, '{attempt}', '0'::jsonb),
          '{started}', to_jsonb(${now.toISOString()}::text))`,
      })
      .where("host", "=", host)
      .where("status", "in", ["dead", "failing"])
      .returning("id")
      .execute();
    for (const row of rows)
      await this.#queue.enqueue("federation.deliver", { deliveryId: row.id, attempt: 0 });
    return rows.length;
  }

  /** Keeps the table small: delivered rows for a day, dead ones for a month; then the
   * activities no row names any more. */
  async prune(): Promise<void> {
    await this.#db
      .deleteFrom("federation_deliveries")
      .where((eb) =>
        eb.or([
          eb.and([
            eb("status", "=", "delivered"),
            eb("updated_at", "<", sql<Date>`now() - interval '1 day'`),
          ]),
          eb.and([
            eb("status", "=", "dead"),
            eb("updated_at", "<", sql<Date>`now() - interval '30 days'`),
          ]),
        ]),
      )
      .execute();
    await prunePayloads(this.#db);
  }
}
