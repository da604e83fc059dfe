// Every job type, its payload and its retry policy. Adding a type here forces a handler for it
// in jobs.registry.ts (the map is exhaustive).
import type { FederateJob } from "../../federation/forums/outbound.ts";
import type { MailJob } from "../mail/mail.types.ts";

export interface JobPayloads {
  "mail.send": MailJob;
  "maintenance.prune": Record<string, never>;
  "notifications.digest": Record<string, never>;
  "federation.publish": { outboxId: number };
  "federation.deliver": { deliveryId: string; attempt: number };
  "federation.inbox": { message: Record<string, unknown> };
  "federation.sweep": Record<string, never>;
  "forums.notify": { postId: string };
  "forums.federate": FederateJob;
  "forums.backfill": { groupId: string };
  "offers.lastMinute": { offerId: string };
  "offers.backfill": { remoteActorId: number };
  "offers.reminders": Record<string, never>;
  "offers.sweep": Record<string, never>;
}

export type JobType = keyof JobPayloads;

export interface JobSpec {
  /** Total tries, the first included. */
  attempts: number;
  /** Delay before the second try; doubles at each further try. */
  backoffMs: number;
  /** A try running longer than this is aborted and counts as failed. */
  timeoutMs: number;
}

export const JOB_SPECS: { readonly [K in JobType]: JobSpec } = {
  "mail.send": { attempts: 8, backoffMs: 30_000, timeoutMs: 30_000 },
  "maintenance.prune": { attempts: 1, backoffMs: 60_000, timeoutMs: 120_000 },
  "notifications.digest": { attempts: 3, backoffMs: 300_000, timeoutMs: 300_000 },
  // Delivery retries follow federation/delivery's 48-hour schedule (Fedify re-enqueues); these
  // attempts only cover a worker failing while it runs the job.
  "federation.publish": { attempts: 5, backoffMs: 10_000, timeoutMs: 300_000 },
  "federation.deliver": { attempts: 5, backoffMs: 10_000, timeoutMs: 60_000 },
  "federation.inbox": { attempts: 5, backoffMs: 10_000, timeoutMs: 120_000 },
  "federation.sweep": { attempts: 1, backoffMs: 60_000, timeoutMs: 120_000 },
  "forums.notify": { attempts: 5, backoffMs: 30_000, timeoutMs: 120_000 },
  "forums.federate": { attempts: 5, backoffMs: 10_000, timeoutMs: 60_000 },
  // Fetches a remote group's outbox page by page: long, and worth retrying later.
  "forums.backfill": { attempts: 4, backoffMs: 60_000, timeoutMs: 600_000 },
  "offers.lastMinute": { attempts: 5, backoffMs: 60_000, timeoutMs: 120_000 },
  // Retried while our Follow's Accept is not recorded yet, and when the publisher is down.
  "offers.backfill": { attempts: 8, backoffMs: 2_000, timeoutMs: 300_000 },
  "offers.reminders": { attempts: 3, backoffMs: 300_000, timeoutMs: 300_000 },
  "offers.sweep": { attempts: 3, backoffMs: 300_000, timeoutMs: 120_000 },
};

export interface JobContext {
  signal: AbortSignal;
  attempt: number;
}

export type JobHandler<P> = (payload: P, context: JobContext) => Promise<void>;
export type JobHandlers = { readonly [K in JobType]: JobHandler<JobPayloads[K]> };
