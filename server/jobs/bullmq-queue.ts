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
  #worker: Worker | undefined;

  constructor(redis: Redis, url: string, prefix: string, log: Logger, concurrency: number) {
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
    this.#queue.on("error", (error) => log.warn({ err: error.message }, "queue connection error"));
  }

  async enqueue<K extends JobType>(type: K, payload: JobPayloads[K], options: EnqueueOptions = {}) {
    const spec = specOf(type);
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
    this.#worker = new Worker(
      QUEUE_NAME,
      async (job: Job) => {
        await runWithTimeout(
          handlers,
          job.name as JobType,
          job.data as never,
          job.attemptsMade + 1,
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
    this.#worker.on("error", (error) => this.#log.warn({ err: error.message }, "worker error"));
  }

  async stop(): Promise<void> {
    await this.#worker?.close();
    this.#worker = undefined;
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
