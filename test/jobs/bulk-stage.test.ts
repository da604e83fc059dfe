// The jobs of one transaction, and one batch of the outbox relay, reach Redis in one round trip
// (one pipelined addBulk, not one `add` each): a remote topic stages two jobs, and each round
// trip costs a socket write and a read on both sides. Counted on a private redis-server that
// nothing else uses: its `total_reads_processed` counts the reads of the requests it received.
import assert from "node:assert/strict";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pino from "pino";
import { jobSpecs } from "../../app/assemble.ts";
import { MODULES } from "../../app/modules.ts";
import { inTransaction } from "../../server/db/transaction.ts";
import { BullQueue } from "../../server/jobs/bullmq-queue.ts";
import type { JobHandlers, JobSpecs } from "../../server/jobs/job-types.ts";
import type { MailJob } from "../../server/mail/mail.types.ts";
import { DATABASE_URL, MODE, REDIS_URL } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { startPrivateRedis, type PrivateRedis } from "../support/private-servers.ts";
import { until } from "../support/until.ts";
import { unreachableQueue } from "../support/unreachable-queue.ts";

const JOB_SPECS = jobSpecs(MODULES);
const SPECS: JobSpecs = {
  ...JOB_SPECS,
  "mail.send": { attempts: 3, backoffMs: 100, timeoutMs: 5000 },
  "maintenance.prune": { attempts: 2, backoffMs: 100, timeoutMs: 5000 },
};
const silent = pino({ level: "silent" });
/** The relay leaves rows younger than this to the process that wrote them (bullmq-queue.ts). */
const RELAY_AFTER_MS = 2000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function mail(to: string): MailJob {
  return { to, template: "confirm", lang: "fr", data: {} };
}

interface Run {
  type: string;
  payload: unknown;
  attempt: number;
  id: string;
}

/** Handlers that record every try; a mail to `fail-once…` fails its first try. */
function recording(runs: Run[]): JobHandlers {
  const record = (type: string) => async (payload: unknown, c: { attempt: number; id: string }) => {
    runs.push({ type, payload, attempt: c.attempt, id: c.id });
    if ((payload as Partial<MailJob>).to?.startsWith("fail-once") && c.attempt === 1)
      throw new Error("SMTP says try later");
  };
  return Object.fromEntries(
    Object.keys(JOB_SPECS).map((type) => [type, record(type)]),
  ) as unknown as JobHandlers;
}

/** The private Redis's count of reads (one per request received) and of scripts run. */
async function counters(probe: Redis): Promise<{ reads: number; scripts: number }> {
  const info = (await probe.call("INFO", "stats", "commandstats")) as string;
  const count = (re: RegExp) => Number(info.match(re)?.[1] ?? 0);
  return {
    reads: count(/total_reads_processed:(\d+)/),
    scripts: count(/cmdstat_evalsha:calls=(\d+)/) + count(/cmdstat_eval:calls=(\d+)/),
  };
}

describe(`jobs of a transaction and of a relay batch: one round trip to Redis (${MODE})`, function () {
  this.timeout(90_000);
  let redis: PrivateRedis | undefined;
  let instance: TestInstance;
  let probe: Redis;
  let connection: Redis;
  let queue: BullQueue;
  let prefix: string;

  before(async function () {
    if (!REDIS_URL || !DATABASE_URL) return this.skip();
    redis = await startPrivateRedis();
    if (!redis) return this.skip(); // no redis-server on this machine
    // The instance only lends its database: with the database queue, its own relay never takes
    // the outbox rows of these tests.
    instance = await startTestInstance({ env: { REDIS_URL: "", PROCESS_ROLE: "web" } });
    probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  });
  beforeEach(async function () {
    if (!redis) return this.skip();
    connection = new Redis(redis.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
    await new Promise((r) => connection.once("ready", r));
    prefix = `bulk${Date.now()}`;
    queue = new BullQueue(instance.ctx.db, connection, redis.url, prefix, silent, 2, SPECS);
    // A connection's first use of a script sends its whole text (EVAL, several reads when
    // large); later ones send its hash. Load both scripts used here, a job and a delayed job.
    await inTransaction(instance.ctx.db, queue, async (tx) => {
      tx.enqueue("mail.send", mail("warm@exemple.fr"));
      tx.enqueue("mail.send", mail("warm-later@exemple.fr"), { delayMs: 100 });
    });
  });
  afterEach(async () => {
    await queue?.stop();
    connection?.disconnect();
  });
  after(async () => {
    probe?.disconnect();
    await instance?.destroy();
    await redis?.destroy();
  });

  async function outboxRows(jobIds: readonly string[]): Promise<number> {
    const rows = await instance.ctx.db
      .selectFrom("job_outbox")
      .select("id")
      .where("job_id", "in", jobIds)
      .execute();
    return rows.length;
  }

  async function jobIdsOf(tos: readonly string[]): Promise<string[]> {
    const rows = await instance.ctx.db
      .selectFrom("job_outbox")
      .select(["job_id", "payload"])
      .execute();
    return rows
      .filter((r) => tos.includes((r.payload as Partial<MailJob>).to ?? "prune"))
      .map((r) => r.job_id);
  }

  it("hands the three jobs of a transaction over in one round trip, then runs each with its options", async () => {
    const before = await counters(probe);
    await inTransaction(instance.ctx.db, queue, async (tx) => {
      tx.enqueue("mail.send", mail("fail-once@exemple.fr"));
      tx.enqueue("mail.send", mail("later@exemple.fr"), { delayMs: 300 });
      tx.enqueue("maintenance.prune", {});
    });
    const after = await counters(probe);
    assert.equal(after.scripts - before.scripts, 3, "one script per job");
    // One read for the three jobs, one for the second INFO itself; one `add` each made three.
    assert.equal(after.reads - before.reads - 1, 1, "round trips for the three jobs");

    const ids = await jobIdsOf(["fail-once@exemple.fr", "later@exemple.fr", "prune"]);
    assert.equal(ids.length, 3);
    // Handed over: the next relay pass deletes their rows.
    await queue.relay();
    assert.equal(await outboxRows(ids), 0);

    const runs: Run[] = [];
    queue.start(recording(runs));
    await until(
      () => runs.filter((r) => ids.includes(r.id.replace("bullmq:", ""))).length === 4,
      30_000,
    );
    const mine = runs.filter((r) => ids.includes(r.id.replace("bullmq:", "")));
    const tries = (to: string) =>
      mine.filter((r) => (r.payload as Partial<MailJob>).to === to).map((r) => r.attempt);
    assert.deepEqual(tries("fail-once@exemple.fr"), [1, 2], "retried after its failed try");
    assert.deepEqual(tries("later@exemple.fr"), [1]);
    const later = mine.find((r) => (r.payload as Partial<MailJob>).to === "later@exemple.fr")!;
    assert.deepEqual(later.payload, mail("later@exemple.fr"));
    const prune = mine.filter((r) => r.type === "maintenance.prune");
    assert.deepEqual(
      prune.map((r) => [r.payload, r.attempt]),
      [[{}, 1]],
    );

    // The options each job was given, as BullMQ stored them.
    const reader = new Redis(redis!.url, { maxRetriesPerRequest: null });
    const bull = new Queue("jobs", { connection: reader, prefix });
    try {
      const byTo = new Map<string, { attempts?: number; delay?: number; jitter?: number }>();
      for (const id of ids) {
        const job = (await bull.getJob(id))!;
        const backoff = job.opts.backoff as { jitter?: number } | undefined;
        byTo.set((job.data as Partial<MailJob>).to ?? job.name, {
          attempts: job.opts.attempts,
          delay: job.opts.delay,
          jitter: backoff?.jitter,
        });
      }
      assert.deepEqual(byTo.get("fail-once@exemple.fr"), { attempts: 3, delay: 0, jitter: 0.1 });
      assert.deepEqual(byTo.get("later@exemple.fr"), { attempts: 3, delay: 300, jitter: 0.1 });
      assert.deepEqual(byTo.get("maintenance.prune"), { attempts: 2, delay: 0, jitter: 0.1 });
    } finally {
      await bull.close();
      reader.disconnect();
    }
  });

  it("relays a batch of the outbox in one round trip", async () => {
    await queue.relay(); // deletes the warm-up's rows, handed over
    // A process whose Redis is unreachable commits three jobs: they all wait in the outbox.
    const { queue: other, close } = unreachableQueue(instance.ctx.db, prefix, SPECS);
    const tos = ["r1@exemple.fr", "r2@exemple.fr", "r3@exemple.fr"];
    await inTransaction(instance.ctx.db, other, async (tx) => {
      for (const to of tos) tx.enqueue("mail.send", mail(to));
    });
    close();
    const ids = await jobIdsOf(tos);
    assert.equal(ids.length, 3, "all three kept in the outbox");
    await sleep(RELAY_AFTER_MS + 200);

    const before = await counters(probe);
    assert.equal(await queue.relay(), 3);
    const after = await counters(probe);
    assert.equal(after.scripts - before.scripts, 3);
    assert.equal(after.reads - before.reads - 1, 1, "round trips for the batch");
    assert.equal(await outboxRows(ids), 0, "the relayed rows are deleted");

    const runs: Run[] = [];
    queue.start(recording(runs));
    await until(
      () => tos.every((to) => runs.some((r) => (r.payload as MailJob).to === to)),
      30_000,
    );
  });

  it("keeps every row when the hand-over gets no answer, and runs each job once", async () => {
    const runs: Run[] = [];
    queue.start(recording(runs));
    const tos = ["p1@exemple.fr", "p2@exemple.fr", "p3@exemple.fr"];
    // Redis holds every script for 10 s: the hand-over after the commit times out (3 s), and
    // so does the relay's first pass; both pipelines still run once the pause ends.
    await probe.call("CLIENT", "PAUSE", "10000", "WRITE");
    await inTransaction(instance.ctx.db, queue, async (tx) => {
      for (const to of tos) tx.enqueue("mail.send", mail(to));
    });
    const ids = await jobIdsOf(tos);
    assert.equal(ids.length, 3, "no row counted as handed over");
    await assert.rejects(queue.relay(), /no answer from Redis/);
    assert.equal(await outboxRows(ids), 3, "a failed relay deletes no row");

    await until(
      () => tos.every((to) => runs.some((r) => (r.payload as MailJob).to === to)),
      30_000,
    );
    // Added twice already (after the commit, by the relay), and once more now: one job each.
    assert.equal(await queue.relay(), 3);
    assert.equal(await outboxRows(ids), 0);
    await sleep(1500);
    for (const to of tos)
      assert.equal(runs.filter((r) => (r.payload as MailJob).to === to).length, 1, to);
  });
});
