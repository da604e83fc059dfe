// Production queue: BullMQ on Redis. Retries and backoff are BullMQ's; the per-type timeout is
// ours (runWithTimeout). Enqueue never waits for a Redis that is down: the shared client has no
// offline queue, so a call fails at once with QueueUnavailableError.
import { Queue, Worker, type Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import type { JobHandlers, JobPayloads, JobType } from "./job-types.ts";
import {
  QueueUnavailableError,
  runWithTimeout,
  specOf,
  type EnqueueOptions,
  type JobQueue,
  type JobSpecs,
} from "./queue.ts";

const QUEUE_NAME = "jobs";
const ENQUEUE_TIMEOUT_MS = 3000;

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
  #worker: Worker | undefined;
  #workerConnection: Redis | undefined;

  constructor(
    redis: Redis,
    url: string,
    prefix: string,
    log: Logger,
    concurrency: number,
    specs: JobSpecs,
  ) {
    this.#specs = specs;
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
    const spec = specOf(type, this.#specs);
    if (this.#redis.status !== "ready") {
      throw new QueueUnavailableError(new Error(`Redis connection is ${this.#redis.status}`));
    }
    try {
      await withTimeout(
        this.#queue.add(type, payload, {
          attempts: spec.attempts,
          backoff: { type: "exponential", delay: spec.backoffMs, jitter: 0.1 },
          delay: options.delayMs ?? 0,
          removeOnComplete: { age: 24 * 3600, count: 10_000 },
          removeOnFail: { age: 30 * 24 * 3600 },
        }),
        ENQUEUE_TIMEOUT_MS,
      );
    } catch (error) {
      throw new QueueUnavailableError(error);
    }
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
    return {
      pending: (counts.waiting ?? 0) + (counts.delayed ?? 0) + (counts.prioritized ?? 0),
      running: counts.active ?? 0,
      failed: counts.failed ?? 0,
      done: counts.completed ?? 0,
    };
  }
}
