// Jobs written by the transaction that asks for them (ADR 0082): a committed action is answered
// as done and its mail is sent even when Redis goes away before the commit, or when the process
// that committed dies before handing the job over; a rolled-back one sends nothing.
import assert from "node:assert/strict";
import { sql } from "kysely";
import { jobSpecs } from "../../app/assemble.ts";
import { MODULES } from "../../app/modules.ts";
import { inTransaction } from "../../server/db/transaction.ts";
import type { MailJob } from "../../server/mail/mail.types.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { readMails, waitForMail } from "../support/mail.ts";
import { startPrivateRedis, type PrivateRedis } from "../support/private-servers.ts";
import { person } from "../support/web.ts";
import { unreachableQueue } from "../support/unreachable-queue.ts";

function invitation(to: string): MailJob {
  return {
    to,
    template: "invitation",
    lang: "fr",
    data: { link: "http://127.0.0.1/signup?invitation=x", from: "Équipe" },
  };
}

// Only the test's own mail: scheduled tasks (pruning, backups, the hub's list) that fall due
// while Redis is away wait in the outbox too, as they should.
async function outboxRows(instance: TestInstance, to: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from job_outbox where payload->>'to' = ${to}`.execute(
    instance.ctx.db,
  );
  return rows[0]!.n;
}

describe(`jobs written with their transaction: BullMQ through the outbox (${MODE})`, function () {
  this.timeout(120_000);
  let redis: PrivateRedis | undefined;
  let instance: TestInstance;

  before(async function () {
    redis = await startPrivateRedis();
    if (!redis) return this.skip(); // no redis-server on this machine
    instance = await startTestInstance({ env: { REDIS_URL: redis.url } });
    assert.equal(instance.ctx.queue.kind, "bullmq");
  });
  after(async () => {
    await instance?.destroy();
    await redis?.destroy();
  });

  it("answers a commit as done when Redis goes away before it, and mails once it is back", async () => {
    // Two jobs, as a remote topic stages two: handed over together, kept together.
    const who = person("outbox");
    const also = person("outbox");
    const result = await instance.ctx.transaction(async (tx) => {
      tx.enqueue("mail.send", invitation(who.email));
      tx.enqueue("mail.send", invitation(also.email));
      await redis!.stop(); // Redis dies while the work is under way
      return "booked";
    });
    assert.equal(result, "booked");
    for (const { email } of [who, also])
      assert.equal(await outboxRows(instance, email), 1, "the job waits in the database");
    assert.equal(readMails(instance.dataDir).length, 0);

    await redis!.start();
    for (const { email } of [who, also]) {
      const mail = await waitForMail(instance.dataDir, email, /Invitation/, 30_000);
      assert.match(mail.text, /invitation=x/);
      // The relay deletes the row in the transaction that handed the job over, which may commit
      // just after the job has run and mailed (a busy machine).
      for (let i = 0; i < 50 && (await outboxRows(instance, email)) > 0; i++)
        await new Promise((r) => setTimeout(r, 100));
      assert.equal(await outboxRows(instance, email), 0);
    }
    await new Promise((r) => setTimeout(r, 1500));
    for (const { email } of [who, also])
      assert.equal(readMails(instance.dataDir).filter((m) => m.to.includes(email)).length, 1);
  });

  it("keeps an enqueue outside a transaction while Redis is away", async () => {
    const who = person("outbox");
    await redis!.stop();
    await instance.ctx.queue.enqueue("mail.send", invitation(who.email));
    assert.equal(await outboxRows(instance, who.email), 1);
    await redis!.start();
    await waitForMail(instance.dataDir, who.email, /Invitation/, 30_000);
  });

  it("runs the jobs of a process that died before handing them over", async () => {
    const who = person("outbox");
    // Another process whose Redis is unreachable commits, then dies without a word.
    const { queue: other, close } = unreachableQueue(
      instance.ctx.db,
      instance.redisPrefix,
      jobSpecs(MODULES),
    );
    await inTransaction(instance.ctx.db, other, async (tx) => {
      tx.enqueue("mail.send", invitation(who.email));
    });
    close();
    assert.equal(await outboxRows(instance, who.email), 1);
    // This instance's relay hands it over to its (live) Redis, and its worker sends it.
    await waitForMail(instance.dataDir, who.email, /Invitation/, 30_000);
    assert.equal(await outboxRows(instance, who.email), 0);
  });

  it("sends nothing for a rolled-back transaction", async () => {
    const who = person("outbox");
    await assert.rejects(
      instance.ctx.transaction(async (tx) => {
        tx.enqueue("mail.send", invitation(who.email));
        throw new Error("the work failed");
      }),
      /the work failed/,
    );
    assert.equal(await outboxRows(instance, who.email), 0);
    await new Promise((r) => setTimeout(r, 2500));
    assert.equal(readMails(instance.dataDir).filter((m) => m.to.includes(who.email)).length, 0);
  });
});

describe(`jobs written with their transaction: database queue (${MODE})`, function () {
  this.timeout(60_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance({ env: { REDIS_URL: "" } });
    assert.equal(instance.ctx.queue.kind, "database");
  });
  after(() => instance.destroy());

  it("writes the job in the transaction: visible inside it, gone with a rollback", async () => {
    const committed = person("dbq");
    const inside = await instance.ctx.transaction(async (tx) => {
      tx.enqueue("mail.send", invitation(committed.email));
      return "done";
    });
    assert.equal(inside, "done");
    await waitForMail(instance.dataDir, committed.email, /Invitation/, 30_000);

    const rolledBack = person("dbq");
    await assert.rejects(
      instance.ctx.transaction(async (tx) => {
        tx.enqueue("mail.send", invitation(rolledBack.email));
        throw new Error("no");
      }),
    );
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from jobs where payload->>'to' = ${rolledBack.email}`.execute(
      instance.ctx.db,
    );
    assert.equal(rows[0]!.n, 0);
  });
});
