// The activities one transaction publishes (a group announcing a new topic publishes two) make
// one publish job, which sends them in order (ADR 0165); jobs queued before it (one id) still run.
import assert from "node:assert/strict";
import { sql } from "kysely";
import { publishAll, publishToFollowers } from "../../federation/outbox.ts";
import { CMCAS_ACTOR } from "../../federation/uris.ts";
import { cmcasNote as note } from "../support/cmcas-note.ts";
import { MODE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { countStatements } from "../support/statements.ts";

describe(`federation: one publish job per transaction (${MODE})`, function () {
  this.timeout(60_000);
  let instance: TestInstance;

  before(async () => {
    // A web process only: the jobs it queues wait, nothing runs them but this test.
    instance = await startTestInstance({ env: { PROCESS_ROLE: "web" } });
  });
  after(() => instance?.destroy());

  /** Jobs waiting, once the BullMQ mode's outbox rows are handed over (they count as waiting). */
  async function pending(): Promise<number> {
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const { rows } = await sql<{ n: number }>`select count(*)::int as n from job_outbox`.execute(
        instance.ctx.db,
      );
      if (rows[0]!.n === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    return (await instance.ctx.queue.stats()).pending;
  }

  it("two activities of one transaction: one job, both dispatched by it", async () => {
    const { publicUrl } = instance.ctx.config;
    const before = await pending();
    await instance.ctx.transaction(async (tx) => {
      await publishToFollowers(tx, CMCAS_ACTOR, note(publicUrl, "premier"));
      await publishToFollowers(tx, CMCAS_ACTOR, note(publicUrl, "second"));
    });
    assert.equal(await pending(), before + 1, "one publish job for the two activities");

    const rows = await instance.ctx.db
      .selectFrom("federation_outbox")
      .select(["id", "dispatched_at"])
      .orderBy("id", "desc")
      .limit(2)
      .execute();
    assert.equal(rows.length, 2);
    assert.ok(rows.every((r) => r.dispatched_at === null));
    // What the job runs: both rows, in one call.
    await instance.federation.jobs.publish(rows.map((r) => r.id).reverse());
    const after = await instance.ctx.db
      .selectFrom("federation_outbox")
      .select("dispatched_at")
      .where(
        "id",
        "in",
        rows.map((r) => r.id),
      )
      .execute();
    assert.ok(
      after.every((r) => r.dispatched_at !== null),
      "both marked dispatched",
    );
  });

  it("several activities published together: one statement, in their order, one job", async () => {
    const { publicUrl } = instance.ctx.config;
    const before = await pending();
    const list = ["un", "deux", "trois"].map((text) => note(publicUrl, text));
    const kinds = await instance.ctx.transaction(async (tx) => {
      const counted = countStatements(tx);
      const followers = { followers: true, to: [] };
      await publishAll(
        counted.tx,
        CMCAS_ACTOR,
        list.map((activity) => ({ activity, audience: followers })),
      );
      return counted.kinds;
    });
    assert.deepEqual(kinds, ["insert"]);
    assert.equal(await pending(), before + 1, "one publish job");
    const rows = await instance.ctx.db
      .selectFrom("federation_outbox")
      .select(["activity_id"])
      .orderBy("id", "desc")
      .limit(3)
      .execute();
    assert.deepEqual(
      rows.map((r) => r.activity_id).reverse(),
      list.map((a) => a.id!.href),
    );
  });
});
