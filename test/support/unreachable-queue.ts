// The job queue of another process whose Redis is unreachable: what it commits waits in the
// outbox (job_outbox) for a live process's relay.
import { Redis } from "ioredis";
import pino from "pino";
import type { Db } from "../../server/db/database.ts";
import { BullQueue } from "../../server/jobs/bullmq-queue.ts";
import type { JobSpecs } from "../../server/jobs/job-types.ts";

const NOWHERE = "redis://127.0.0.1:1";

/** `queue` to stage jobs with; `close()` drops its (never made) connection, as a dying process. */
export function unreachableQueue(db: Db, prefix: string, specs: JobSpecs) {
  const redis = new Redis(NOWHERE, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
  });
  const queue = new BullQueue(db, redis, NOWHERE, prefix, pino({ level: "silent" }), 1, specs);
  return { queue, close: () => redis.disconnect() };
}
