// The durable queue of embedded mode: jobs are rows, claimed with SKIP LOCKED so that several
// worker processes on one PostgreSQL never run the same try twice.
import { EventEmitter } from "node:events";
import { sql } from "kysely";
import type { Logger } from "pino";
import type { Db } from "../db/database.ts";
import type { JobHandlers, JobPayloads, JobType } from "./job-types.ts";
import {
  backoffDelay,
  QueueUnavailableError,
  runWithTimeout,
  specOf,
  type EnqueueOptions,
  type JobQueue,
  type JobSpecs,
  type StagedJob,
} from "./queue.ts";

const IDLE_POLL_MS = 500;
const LOCK_MARGIN_S = 30;

function isDataException(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("22");
}

export class DatabaseQueue implements JobQueue {
  readonly kind = "database";
  readonly #db: Db;
  readonly #log: Logger;
  readonly #concurrency: number;
  readonly #specs: JobSpecs;
  readonly #wake = new EventEmitter();
  #handlers: JobHandlers | undefined;
  #running = new Set<Promise<void>>();
  #stopping = false;
  #loop: Promise<void> | undefined;
  /**
   * Whether a claim may find a job. A claim that comes back short means the queue is drained:
   * the slots that jobs free then wait for a job queued here or for the idle poll (other
   * processes' jobs, delayed ones) instead of running a claim that finds nothing, the costliest
   * statement of a job in embedded mode (issue 15). `#queued` counts the jobs queued here, so
   * that one queued while a claim runs is not forgotten.
   */
  #maybePending = true;
  #queued = 0;

  constructor(db: Db, log: Logger, concurrency: number, specs: JobSpecs) {
    this.#db = db;
    this.#log = log;
    this.#concurrency = concurrency;
    this.#specs = specs;
  }

  async enqueue<K extends JobType>(type: K, payload: JobPayloads[K], options: EnqueueOptions = {}) {
    const spec = specOf(type, this.#specs);
    try {
      await this.#db
        .insertInto("jobs")
        .values({
          type,
          payload: JSON.stringify(payload),
          max_attempts: spec.attempts,
          run_at: sql<Date>`now() + make_interval(secs => ${(options.delayMs ?? 0) / 1000})`,
        })
        .execute();
    } catch (error) {
      // A data exception (SQLSTATE class 22: text jsonb refuses, such as an unpaired surrogate)
      // is the payload's, not an outage: told apart so that it is not answered "retry later".
      if (isDataException(error)) throw error;
      throw new QueueUnavailableError(error);
    }
    this.#jobQueued();
  }

  #jobQueued(): void {
    this.#queued++;
    this.#maybePending = true;
    this.#wake.emit("job");
  }

  async stage(trx: Db, jobs: readonly StagedJob[]): Promise<() => Promise<void>> {
    await trx
      .insertInto("jobs")
      .values(
        jobs.map((job) => ({
          type: job.type,
          payload: JSON.stringify(job.payload),
          max_attempts: specOf(job.type, this.#specs).attempts,
          run_at: sql<Date>`now() + make_interval(secs => ${job.delayMs / 1000})`,
        })),
      )
      .execute();
    // Other worker processes find them at their next poll; this one's is woken now.
    return async () => {
      this.#jobQueued();
    };
  }

  /** After a crash of the only process (embedded mode), its running jobs are orphans. */
  async releaseOrphans(): Promise<void> {
    await this.#db
      .updateTable("jobs")
      .set({ status: "pending", locked_until: null })
      .where("status", "=", "running")
      .execute();
  }

  start(handlers: JobHandlers): void {
    this.#handlers = handlers;
    this.#stopping = false;
    this.#loop ??= this.#run();
  }

  async #run(): Promise<void> {
    while (!this.#stopping) {
      const free = this.#concurrency - this.#running.size;
      let claimed = 0;
      if (free > 0 && this.#maybePending) {
        try {
          const queued = this.#queued;
          const jobs = await this.#claim(free);
          claimed = jobs.length;
          if (claimed < free && queued === this.#queued) this.#maybePending = false;
          for (const job of jobs) {
            const run = this.#execute(job).finally(() => {
              this.#running.delete(run);
              this.#wake.emit("slot");
            });
            this.#running.add(run);
          }
        } catch (error) {
          this.#log.error({ err: error }, "job claim failed");
        }
      }
      if (claimed === 0 || this.#running.size >= this.#concurrency) await this.#sleep();
    }
  }

  #sleep(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake.off("job", done);
        this.#wake.off("slot", done);
        this.#wake.off("stop", done);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#maybePending = true;
        done();
      }, IDLE_POLL_MS);
      this.#wake.once("job", done);
      this.#wake.once("slot", done);
      this.#wake.once("stop", done);
    });
  }

  async #claim(limit: number) {
    const lockSeconds = sql.join(
      Object.entries(this.#specs).map(
        ([type, spec]) =>
          sql`when ${type} then ${Math.ceil(spec.timeoutMs / 1000) + LOCK_MARGIN_S}`,
      ),
      sql` `,
    );
    const result = await sql<{
      id: number;
      type: JobType;
      payload: unknown;
      attempts: number;
      max_attempts: number;
    }>`
      update jobs set status = 'running', attempts = attempts + 1,
        locked_until = now() + make_interval(secs => (case type ${lockSeconds} else 300 end))
      where id in (
        select id from jobs
        where (status = 'pending' and run_at <= now())
           or (status = 'running' and locked_until < now())
        order by run_at
        limit ${limit}
        for update skip locked
      )
      returning id, type, payload, attempts, max_attempts`.execute(this.#db);
    return result.rows;
  }

  async #execute(job: {
    id: number;
    type: JobType;
    payload: unknown;
    attempts: number;
    max_attempts: number;
  }) {
    const handlers = this.#handlers;
    if (!handlers) return;
    try {
      await runWithTimeout(
        handlers,
        job.type,
        job.payload as never,
        job.attempts,
        specOf(job.type, this.#specs),
        `db:${job.id}`,
      );
      await this.#db
        .updateTable("jobs")
        .set({ status: "done", finished_at: new Date(), locked_until: null, last_error: null })
        .where("id", "=", job.id)
        .execute();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const dead = job.attempts >= job.max_attempts;
      this.#log.warn(
        { job: job.id, type: job.type, attempt: job.attempts, dead, err: message },
        "job failed",
      );
      const delay = backoffDelay(specOf(job.type, this.#specs), job.attempts);
      await this.#db
        .updateTable("jobs")
        .set(
          dead
            ? { status: "failed", finished_at: new Date(), locked_until: null, last_error: message }
            : {
                status: "pending",
                locked_until: null,
                last_error: message,
                run_at: sql<Date>`now() + make_interval(secs => ${delay / 1000})`,
              },
        )
        .where("id", "=", job.id)
        .execute()
        .catch((e: unknown) => this.#log.error({ err: e }, "job state update failed"));
    }
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#wake.emit("stop");
    await this.#loop;
    this.#loop = undefined;
    await Promise.allSettled([...this.#running]);
  }

  async ping(): Promise<boolean> {
    try {
      await sql`select 1 from jobs limit 1`.execute(this.#db);
      return true;
    } catch {
      return false;
    }
  }

  async stats() {
    const rows = await this.#db
      .selectFrom("jobs")
      .select(["status", (eb) => eb.fn.countAll<number>().as("n")])
      .groupBy("status")
      .execute();
    const counts = { pending: 0, running: 0, failed: 0, done: 0 };
    for (const row of rows) counts[row.status] = Number(row.n);
    return counts;
  }
}
