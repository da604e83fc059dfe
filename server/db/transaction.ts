// The caller owns the transaction; services receive a Tx and ask for side effects through it.
// Jobs asked for inside a transaction are enqueued only once it has committed, so a rolled-back
// change never sends a mail or a delivery.
import type { Db } from "./database.ts";
import type { JobPayloads, JobType } from "../jobs/job-types.ts";
import type { EnqueueOptions, JobQueue } from "../jobs/queue.ts";

export interface Tx {
  db: Db;
  enqueue<K extends JobType>(type: K, payload: JobPayloads[K], options?: EnqueueOptions): void;
  afterCommit(effect: () => Promise<void> | void): void;
}

export async function inTransaction<T>(
  db: Db,
  queue: Pick<JobQueue, "enqueue">,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  const effects: (() => Promise<void> | void)[] = [];
  const result = await db.transaction().execute((trx) =>
    work({
      db: trx,
      enqueue: (type, payload, options) =>
        effects.push(() => queue.enqueue(type, payload, options)),
      afterCommit: (effect) => effects.push(effect),
    }),
  );
  for (const effect of effects) await effect();
  return result;
}
