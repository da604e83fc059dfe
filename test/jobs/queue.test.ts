import assert from "node:assert/strict";
import { sql } from "kysely";
import crypto from "node:crypto";
import pino from "pino";
import { Redis } from "ioredis";
import { BullQueue } from "../../server/jobs/bullmq-queue.ts";
import { DatabaseQueue } from "../../server/jobs/db-queue.ts";
import type { JobHandlers } from "../../server/jobs/job-types.ts";
import { jobSpecs } from "../../app/assemble.ts";
import { MODULES } from "../../app/modules.ts";
import type { JobQueue, JobSpecs } from "../../server/jobs/queue.ts";
import { REDIS_URL, MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { until } from "../support/until.ts";

const JOB_SPECS = jobSpecs(MODULES);
const SPECS: JobSpecs = {
  ...JOB_SPECS,
  "mail.send": { attempts: 3, backoffMs: 1000, timeoutMs: 5000 },
  "maintenance.prune": { attempts: 2, backoffMs: 200, timeoutMs: 300 },
};
const silent = pino({ level: "silent" });

function handlers(overrides: Partial<JobHandlers>): JobHandlers {
  const none = async () => {};
  return {
    ...(Object.fromEntries(Object.keys(JOB_SPECS).map((k) => [k, none])) as unknown as JobHandlers),
    ...overrides,
  };
}

describe(`job queue (${MODE})`, () => {
  let instance: TestInstance;
  let queue: JobQueue;
  let redis: Redis | undefined;

  before(async () => {
    // A web-only instance: its own worker stays off, the queue under test is the only consumer.
    instance = await startTestInstance({ env: { PROCESS_ROLE: "web" } });
  });
  beforeEach(async () => {
    if (REDIS_URL) {
      redis = new Redis(REDIS_URL, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      await new Promise((r) => redis!.once("ready", r));
      queue = new BullQueue(
        instance.ctx.db,
        redis,
        REDIS_URL,
        `${instance.redisPrefix}q${Date.now()}`,
        silent,
        2,
        SPECS,
      );
    } else {
      queue = new DatabaseQueue(instance.ctx.db, silent, 2, SPECS);
    }
  });
  afterEach(async () => {
    await queue.stop();
    redis?.disconnect();
  });
  after(() => instance.destroy());

  it("retries a failing job with exponential backoff until it succeeds", async () => {
    const tries: number[] = [];
    queue.start(
      handlers({
        async "mail.send"(_payload, { attempt }) {
          tries.push(Date.now());
          assert.equal(attempt, tries.length);
          if (tries.length < 3) throw new Error("SMTP says try later");
        },
      }),
    );
    await queue.enqueue("mail.send", {
      to: "a@exemple.fr",
      template: "confirm",
      lang: "fr",
      data: {},
    });
    await until(() => tries.length === 3);
    await until(async () => (await queue.stats()).done >= 1);
    const [a, b, c] = tries as [number, number, number];
    assert.ok(b - a >= 850, `first retry after ${b - a} ms (backoff 1000 ms)`);
    assert.ok(c - b >= 1700, `second retry after ${c - b} ms (backoff doubles)`);
    assert.equal((await queue.stats()).failed, 0);
  });

  it("aborts a try that exceeds its timeout and marks the job dead after its attempts", async () => {
    let aborted = 0;
    let tries = 0;
    queue.start(
      handlers({
        async "maintenance.prune"(_payload, { signal }) {
          tries += 1;
          await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve()));
          aborted += 1;
        },
      }),
    );
    await queue.enqueue("maintenance.prune", {});
    await until(async () => (await queue.stats()).failed === 1);
    assert.equal(tries, 2);
    assert.equal(aborted, 2);
  });

  it("waits for running jobs when stopping", async () => {
    let finished = false;
    let started = false;
    queue.start(
      handlers({
        async "mail.send"() {
          started = true;
          await new Promise((r) => setTimeout(r, 800));
          finished = true;
        },
      }),
    );
    await queue.enqueue("mail.send", {
      to: "b@exemple.fr",
      template: "confirm",
      lang: "fr",
      data: {},
    });
    await until(() => started);
    await queue.stop();
    assert.equal(finished, true);
  });

  it("runs a delayed job only after its delay", async () => {
    let ranAt = 0;
    queue.start(
      handlers({
        async "mail.send"() {
          ranAt = Date.now();
        },
      }),
    );
    const enqueuedAt = Date.now();
    await queue.enqueue(
      "mail.send",
      { to: "c@exemple.fr", template: "confirm", lang: "fr", data: {} },
      { delayMs: 1500 },
    );
    await until(() => ranAt > 0);
    assert.ok(ranAt - enqueuedAt >= 1400, `ran after ${ranAt - enqueuedAt} ms`);
  });
});

describe(`database job queue: claims (${MODE})`, function () {
  this.timeout(60_000);
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance({ env: { PROCESS_ROLE: "web" } });
  });
  after(() => instance.destroy());

  it("a job ending in a drained queue claims nothing more: one claim per job queued", async () => {
    // The claim statements this queue runs, counted on their way to the database.
    let claims = 0;
    const db = instance.ctx.db.withPlugin({
      transformQuery({ node }) {
        if (
          node.kind === "RawNode" &&
          node.sqlFragments.join("").includes("set status = 'running'")
        )
          claims++;
        return node;
      },
      transformResult: async ({ result }) => result,
    });
    const queue = new DatabaseQueue(db, silent, 2, SPECS);
    let ran = 0;
    queue.start(handlers({ "mail.send": async () => void ran++ }));
    try {
      await until(() => claims > 0); // the first claim, at start
      const JOBS = 10;
      const started = claims;
      const since = Date.now();
      for (let i = 0; i < JOBS; i++) {
        await queue.enqueue("mail.send", {
          to: `n${i}@exemple.fr`,
          template: "confirm",
          lang: "fr",
          data: {},
        });
        await until(() => ran === i + 1);
      }
      // Each job: the claim its queuing wakes; the idle poll (500 ms) may add a few. Before, the
      // end of each job woke a second claim, which found nothing.
      const polls = Math.ceil((Date.now() - since) / 500) + 1;
      assert.ok(
        claims - started <= JOBS + polls,
        `${claims - started} claims for ${JOBS} jobs (${polls} idle polls at most)`,
      );
    } finally {
      await queue.stop();
    }
  });
});

describe("job queue when Redis is unreachable", function () {
  if (!REDIS_URL) return;
  it("keeps an enqueue in the outbox without waiting, and reports it in /readyz", async () => {
    const instance = await startTestInstance({ env: { REDIS_URL: "redis://127.0.0.1:1" } });
    try {
      const started = Date.now();
      // A job the instance never asks for by itself (its scheduler may add maintenance jobs to
      // the outbox meanwhile): the one found is this one.
      await instance.ctx.queue.enqueue("mail.send", {
        to: "attente-redis@exemple.fr",
        template: "confirm",
        lang: "fr",
        data: {},
      });
      assert.ok(Date.now() - started < 3000, "enqueue did not hang");
      const kept = await instance.ctx.db
        .selectFrom("job_outbox")
        .select("type")
        .where("type", "=", "mail.send")
        .where(sql<string>`payload->>'to'`, "=", "attente-redis@exemple.fr")
        .execute();
      assert.equal(kept.length, 1, "the job waits in the database for Redis");
      const ready = await fetch(`${instance.url}/readyz`);
      assert.equal(ready.status, 503);
      const body = (await ready.json()) as { checks: { queue: string; database: string } };
      assert.equal(body.checks.queue, "unreachable");
      assert.equal(body.checks.database, "ok");
      const health = await fetch(`${instance.url}/healthz`);
      assert.equal(health.status, 200);
      // A form post needs its session: it is told the service is unavailable, without hanging.
      const { sessionSecret } = await instance.ctx.settings.get();
      const sid = "a-session-id";
      const signature = crypto
        .createHmac("sha256", sessionSecret)
        .update(sid)
        .digest("base64")
        .replace(/=+$/, "");
      const login = await fetch(`${instance.url}/login`, {
        method: "POST",
        headers: {
          cookie: `maillage.sid=${encodeURIComponent(`s:${sid}.${signature}`)}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: "email=a%40exemple.fr&password=x",
        signal: AbortSignal.timeout(5000),
      });
      assert.equal(login.status, 503);
      assert.match(await login.text(), /Service momentanément indisponible/);
    } finally {
      await instance.destroy();
    }
  });
});
