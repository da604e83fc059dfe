// Production queue: BullMQ on Redis. Retries and backoff are BullMQ's; the per-type timeout is
// ours (runWithTimeout). Enqueue never waits for a Redis that is down: the shared client has no
// offline queue. Jobs that cannot reach Redis at once — those of a transaction (written in it,
// ADR 0082) or any enqueue while Redis is away — wait in the `job_outbox` table, and every
// process relays that table to Redis when it answers. A job keeps one BullMQ id from the start,
// so relaying it twice (a crash between the hand-over and the delete) still makes one job.
import crypto from "node:crypto";
import { Queue, Worker, type Job } from "bullmq";
import { sql } from "kysely";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { Db } from "../db/database.ts";
import type { JobHandlers, JobPayloads, JobType } from "./job-types.ts";
import {
  QueueUnavailableError,
  runWithTimeout,
  specOf,
  type EnqueueOptions,
  type JobQueue,
  type JobSpecs,
  type StagedJob,
} from "./queue.ts";

const QUEUE_NAME = "jobs";
const ENQUEUE_TIMEOUT_MS = 3000;
/** How often every process looks for jobs left in the outbox. */
const RELAY_EVERY_MS = 1000;
/** Rows younger than this are being handed over by the process that wrote them. */
const RELAY_AFTER_MS = 2000;
const RELAY_BATCH = 200;

interface OutboxRow {
  id: number;
  job_id: string;
  type: string;
  payload: unknown;
  delay_ms: number;
}

/** A job on its way to BullMQ, with the id it keeps from the start. */
type Handed = Pick<OutboxRow, "job_id" | "type" | "payload" | "delay_ms">;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class BullQueue implements JobQueue {
  readonly kind = "bullmq";
  readonly #queue: Queue;
  readonly #redis: Redis;
  readonly #url: string;
  readonly #prefix: string;
  readonly #log: Logger;
  readonly #concurrency: number;
  readonly #specs: JobSpecs;
  readonly #db: Db;
  #worker: Worker | undefined;
  #workerConnection: Redis | undefined;
  #relayTimer: NodeJS.Timeout | undefined;
  #relaying: Promise<void> | undefined;
  #handedOver: number[] = [];

  constructor(
    db: Db,
    redis: Redis,
    url: string,
    prefix: string,
    log: Logger,
    concurrency: number,
    specs: JobSpecs,
  ) {
    this.#specs = specs;
    this.#db = db;
    this.#redis = redis;
    this.#url = url;
    this.#prefix = prefix;
    this.#log = log;
    this.#concurrency = concurrency;
    this.#queue = new Queue(QUEUE_NAME, {
      connection: redis,
      prefix,
      skipWaitingForReady: true,
    });
    let lastError = "";
    this.#queue.on("error", (error) => {
      if (error.message !== lastError) log.warn({ err: error.message }, "queue connection error");
      lastError = error.message;
    });
  }

  async enqueue<K extends JobType>(type: K, payload: JobPayloads[K], options: EnqueueOptions = {}) {
    specOf(type, this.#specs);
    const jobId = crypto.randomUUID();
    const delayMs = options.delayMs ?? 0;
    try {
      await this.#add([{ job_id: jobId, type, payload, delay_ms: delayMs }]);
    } catch (error) {
      // Redis is away: keep the job in the database, relayed when Redis is back.
      try {
        await this.#db
          .insertInto("job_outbox")
          .values({ job_id: jobId, type, payload: JSON.stringify(payload), delay_ms: delayMs })
          .execute();
      } catch {
        throw new QueueUnavailableError(error);
      }
    }
  }

  async stage(trx: Db, jobs: readonly StagedJob[]): Promise<() => Promise<void>> {
    const rows = await trx
      .insertInto("job_outbox")
      .values(
        jobs.map((job) => ({
          job_id: crypto.randomUUID(),
          type: job.type,
          payload: JSON.stringify(job.payload),
          delay_ms: job.delayMs,
        })),
      )
      .returning(["id", "job_id", "type", "payload", "delay_ms"])
      .execute();
    // After the commit: straight to Redis. The rows are deleted by the next relay tick, in one
    // statement for all the transactions of that second, which keeps a database round trip off
    // every request; relayed again meanwhile (another process), a job keeps its id: no double.
    return async () => {
      try {
        await this.#add(rows);
        this.#handedOver.push(...rows.map((row) => row.id));
      } catch (error) {
        // All the rows stay for the relay, even those the failed call may have added: they keep
        // their job ids, and BullMQ adds nothing for an id it already holds.
        this.#log.warn(
          { err: error instanceof Error ? error.message : String(error), jobs: rows.length },
          "jobs kept in the outbox until Redis answers",
        );
      }
    };
  }

  /** Deletes the rows handed over after their commit. */
  async #forgetHandedOver(): Promise<void> {
    const ids = this.#handedOver.splice(0);
    if (ids.length === 0) return;
    try {
      await this.#db.deleteFrom("job_outbox").where("id", "in", ids).execute();
    } catch (error) {
      this.#handedOver.push(...ids);
      throw error;
    }
  }

  /**
   * Adds jobs to BullMQ in one round trip: addBulk sends each job's script in one pipeline (not a
   * MULTI), so each job is added or refused on its own, with its own delay, and an id BullMQ
   * already holds is a no-op, as with `add`. Either all were added, or it throws.
   */
  async #add(jobs: readonly Handed[]): Promise<void> {
    const bulk = jobs.map((job) => {
      const spec = specOf(job.type, this.#specs);
      return {
        name: job.type,
        data: job.payload,
        opts: {
          jobId: job.job_id,
          attempts: spec.attempts,
          backoff: { type: "exponential", delay: spec.backoffMs, jitter: 0.1 },
          delay: Math.max(0, job.delay_ms),
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 30 * 24 * 3600 },
        },
      };
    });
    if (this.#redis.status !== "ready") {
      throw new QueueUnavailableError(new Error(`Redis connection is ${this.#redis.status}`));
    }
    await withTimeout(this.#queue.addBulk(bulk), ENQUEUE_TIMEOUT_MS);
  }

  /**
   * Adds the rows' jobs to BullMQ, then deletes the rows. On a failure none is deleted: the next
   * pass adds them all again, and BullMQ ignores the ids it already holds.
   */
  async #handOver(db: Db, rows: readonly OutboxRow[]): Promise<void> {
    await this.#add(rows);
    const ids = rows.map((row) => row.id);
    await db.deleteFrom("job_outbox").where("id", "in", ids).execute();
  }

  /** One pass of the relay: the outbox's older rows, locked so two processes never share one. */
  async relay(): Promise<number> {
    await this.#forgetHandedOver();
    if (this.#redis.status !== "ready") return 0;
    return this.#db.transaction().execute(async (trx) => {
      const { rows } = await sql<OutboxRow>`
        select id, job_id, type, payload,
          greatest(0, delay_ms - (extract(epoch from now() - created_at) * 1000)::int) as delay_ms
        from job_outbox
        where created_at < now() - make_interval(secs => ${RELAY_AFTER_MS / 1000})
        order by id
        limit ${RELAY_BATCH}
        for update skip locked`.execute(trx);
      if (rows.length > 0) await this.#handOver(trx, rows);
      return rows.length;
    });
  }

  /** Every process relays (a web process may hold the only copy of a job it wrote). */
  startRelay(): void {
    if (this.#relayTimer) return;
    let lastError = "";
    this.#relayTimer = setInterval(() => {
      if (this.#relaying) return;
      this.#relaying = this.relay()
        .then((n) => {
          if (n > 0) this.#log.info({ jobs: n }, "outbox jobs handed over to Redis");
          lastError = "";
        })
        .catch((error: unknown) => {
          const message = error instanceof Error ? error.message : String(error);
          if (message !== lastError) this.#log.warn({ err: message }, "outbox relay failed");
          lastError = message;
        })
        .finally(() => (this.#relaying = undefined));
    }, RELAY_EVERY_MS);
    this.#relayTimer.unref();
  }

  start(handlers: JobHandlers): void {
    if (this.#worker) return;
    const connection = new Redis(this.#url, { maxRetriesPerRequest: null });
    connection.on("error", () => {}); // reported once by the worker's own error handler below
    this.#workerConnection = connection;
    this.#worker = new Worker(
      QUEUE_NAME,
      async (job: Job) => {
        await runWithTimeout(
          handlers,
          job.name as JobType,
          job.data as never,
          job.attemptsMade + 1,
          specOf(job.name, this.#specs),
          `bullmq:${job.id}`,
        );
      },
      { connection, prefix: this.#prefix, concurrency: this.#concurrency },
    );
    this.#worker.on("failed", (job, error) =>
      this.#log.warn(
        { job: job?.id, type: job?.name, attempt: job?.attemptsMade, err: error.message },
        "job failed",
      ),
    );
    let lastError = "";
    this.#worker.on("error", (error) => {
      // A Redis outage repeats the same error at every reconnection attempt: log it once.
      if (error.message !== lastError) this.#log.warn({ err: error.message }, "worker error");
      lastError = error.message;
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.#relayTimer);
    this.#relayTimer = undefined;
    await this.#relaying;
    await this.#forgetHandedOver().catch(() => {});
    const worker = this.#worker;
    const connection = this.#workerConnection;
    this.#worker = undefined;
    this.#workerConnection = undefined;
    if (this.#redis.status !== "ready") {
      // Without Redis, BullMQ's close never completes: drop the connections instead.
      void worker?.close(true).catch(() => {});
      connection?.disconnect();
      return;
    }
    await worker?.close(); // waits for the running jobs
    connection?.disconnect();
    await this.#queue.close().catch(() => {});
  }

  async ping(): Promise<boolean> {
    if (this.#redis.status !== "ready") return false;
    try {
      return (await withTimeout(this.#redis.ping(), 1000)) === "PONG";
    } catch {
      return false;
    }
  }

  async stats() {
    const counts = await withTimeout(
      this.#queue.getJobCounts(
        "waiting",
        "delayed",
        "active",
        "failed",
        "completed",
        "prioritized",
      ),
      ENQUEUE_TIMEOUT_MS,
    );
    const outbox = await this.#db
      .selectFrom("job_outbox")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    return {
      pending:
        (counts.waiting ?? 0) +
        (counts.delayed ?? 0) +
        (counts.prioritized ?? 0) +
        Number(outbox.n),
      running: counts.active ?? 0,
      failed: counts.failed ?? 0,
      done: counts.completed ?? 0,
    };
  }
}
