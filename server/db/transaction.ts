// The caller owns the transaction; services receive a Tx and ask for side effects through it.
// Jobs asked for inside a transaction are written by that transaction (ADR 0082): a rolled-back
// change never sends a mail or a delivery, and a committed one always does, even if the queue's
// Redis is away at that moment or the process dies right after the commit. The caller is then
// answered "done", since it is.
import type { Db } from "./database.ts";
import type { JobPayloads, JobType } from "../jobs/job-types.ts";
import type { EnqueueOptions, JobQueue, StagedJob } from "../jobs/queue.ts";

export interface Tx {
  db: Db;
  enqueue<K extends JobType>(type: K, payload: JobPayloads[K], options?: EnqueueOptions): void;
  afterCommit(effect: () => Promise<void> | void): void;
}

export async function inTransaction<T>(
  db: Db,
  queue: Pick<JobQueue, "stage">,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  const jobs: StagedJob[] = [];
  const effects: (() => Promise<void> | void)[] = [];
  let started: (() => Promise<void>) | undefined;
  const result = await db.transaction().execute(async (trx) => {
    const value = await work({
      db: trx,
      enqueue: (type, payload, options) =>
        jobs.push({ type, payload, delayMs: options?.delayMs ?? 0 }),
      afterCommit: (effect) => effects.push(effect),
    });
    if (jobs.length > 0) started = await queue.stage(trx, jobs);
    return value;
  });
  await started?.();
  for (const effect of effects) await effect();
  return result;
}
