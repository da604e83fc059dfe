import type { Db } from "../db/database.ts";
import type { JobHandlers, JobPayloads, JobSpec, JobSpecs, JobType } from "./job-types.ts";

export type { JobSpecs };

export interface EnqueueOptions {
  delayMs?: number;
}

/** A job asked for inside a transaction. */
export interface StagedJob {
  type: JobType;
  payload: unknown;
  delayMs: number;
}

export interface JobQueue {
  readonly kind: "database" | "bullmq";
  enqueue<K extends JobType>(
    type: K,
    payload: JobPayloads[K],
    options?: EnqueueOptions,
  ): Promise<void>;
  /**
   * Writes jobs with the caller's transaction, so they exist if and only if it commits. Returns
   * what to do once it has committed (start them sooner); that step never throws: a job that
   * cannot be handed over at once is handed over later.
   */
  stage(trx: Db, jobs: readonly StagedJob[]): Promise<() => Promise<void>>;
  /** Starts processing jobs with these handlers (worker processes only). */
  start(handlers: JobHandlers): void;
  /** Stops taking new jobs and waits for the running ones. */
  stop(): Promise<void>;
  /** True when the queue's backing store answers. */
  ping(): Promise<boolean>;
  /** Counts per state, for admins. */
  stats(): Promise<Record<"pending" | "running" | "failed" | "done", number>>;
}

export class QueueUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`job queue unavailable: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = "QueueUnavailableError";
  }
}

export class JobTimeoutError extends Error {
  constructor(type: string, ms: number) {
    super(`job ${type} timed out after ${ms} ms`);
    this.name = "JobTimeoutError";
  }
}

export function specOf(type: string, specs: JobSpecs): JobSpec {
  const spec = (specs as Record<string, JobSpec | undefined>)[type];
  if (!spec) throw new Error(`unknown job type ${type}`);
  return spec;
}

/** Delay before try number `attempt + 1`, with ±10% jitter so retries do not arrive together. */
export function backoffDelay(spec: JobSpec, attempt: number): number {
  const base = spec.backoffMs * 2 ** Math.max(0, attempt - 1);
  return Math.round(base * (0.9 + Math.random() * 0.2));
}

/** Runs one try of a job, aborting it when it exceeds its type's timeout. */
export async function runWithTimeout<K extends JobType>(
  handlers: JobHandlers,
  type: K,
  payload: JobPayloads[K],
  attempt: number,
  spec: JobSpec,
): Promise<void> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new JobTimeoutError(type, spec.timeoutMs));
    }, spec.timeoutMs);
  });
  try {
    const handler = handlers[type] as (
      p: JobPayloads[K],
      c: { signal: AbortSignal; attempt: number },
    ) => Promise<void>;
    await Promise.race([handler(payload, { signal: controller.signal, attempt }), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
