// Job payloads and retry policies. Each module declares its job types by augmenting
// `JobPayloads` from its own folder and defines them in its module (server/modules/module.ts);
// the queue's map of specs and handlers is assembled from the list of modules.
import type { MailJob } from "../mail/mail.types.ts";

/** Every job type and its payload; modules add theirs (declaration merging). */
export interface JobPayloads {
  "mail.send": MailJob;
  "maintenance.prune": Record<string, never>;
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

export interface JobContext {
  signal: AbortSignal;
  attempt: number;
  /** The job's id, the same at every try: handlers with effects outside the database (a mail
   * sent) record it to do them once. */
  id: string;
}

export type JobHandler<P> = (payload: P, context: JobContext) => Promise<void>;
export type JobHandlers = { readonly [K in JobType]: JobHandler<JobPayloads[K]> };
export type JobSpecs = { readonly [K in JobType]: JobSpec };
