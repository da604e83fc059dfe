// A fan-out's batch jobs (ADR 0174): the policy is asked once for a batch's host and the signing
// keys are restored once for all its deliveries, not once per delivery; the fan-out's activity
// is read and serialised once for all its batches. Each delivery is still sent and recorded.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Deliveries, type DeliveryChecks } from "../../federation/delivery/deliveries.ts";
import { keepPayloads } from "../../federation/delivery/payloads.ts";
import { counting } from "../support/statements.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

describe("federation: what a fan-out's batches read and ask once", function () {
  this.timeout(60_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("asks the policy once per host and restores the keys once per batch", async () => {
    const { db, queue, log } = instance.ctx;
    const host = "peer.example";
    const keyId = `${instance.ctx.config.publicUrl.origin}/users/cmcas#main-key`;
    const ids = Array.from({ length: 12 }, () => randomUUID());
    await db
      .insertInto("federation_deliveries")
      .values(
        ids.map((id, i) => ({
          id,
          host,
          inbox: `https://${host}/users/u${i}/inbox`,
          activity_id: "https://example.test/activities/1",
          activity_type: "https://www.w3.org/ns/activitystreams#Create",
          status: "pending" as const,
          attempts: 0,
          message: JSON.stringify({
            type: "outbox",
            id,
            inbox: `https://${host}/users/u${i}/inbox`,
            activity: { type: "Create" },
            keys: [{ keyId }, { keyId: `${keyId}-ed25519` }],
            attempt: 0,
          }),
          next_attempt_at: new Date(),
        })),
      )
      .execute();
    const asked = { allowed: 0, restoreKeys: 0, sent: [] as string[] };
    const checks: DeliveryChecks = {
      allowed: async () => (asked.allowed++, true),
      publicOnly: false,
      restoreKeys: async (keys) => (
        asked.restoreKeys++,
        keys.map((k) => ({ ...k, privateKey: {} }))
      ),
      send: async (message) => void asked.sent.push(message.inbox),
    } as DeliveryChecks;
    await new Deliveries(db, queue, log).deliverBatch(
      ids.map((deliveryId) => ({ deliveryId, attempt: 0 })),
      checks,
    );
    assert.equal(asked.allowed, 1);
    assert.equal(asked.restoreKeys, 1);
    assert.equal(asked.sent.length, 12);
    const rows = await db
      .selectFrom("federation_deliveries")
      .select(["status", "attempts"])
      .where("id", "in", ids)
      .execute();
    assert.deepEqual(
      rows.map((r) => [r.status, r.attempts]),
      Array(12).fill(["delivered", 1]),
    );
  });
  it("reads and serialises a fan-out's activity once for all its batch jobs", async () => {
    const { queue, log } = instance.ctx;
    const activity = { type: "Create", id: "https://example.test/activities/2", content: "é" };
    const hash = (await keepPayloads(instance.ctx.db, [activity])).get(activity)!;
    const { db, kinds } = counting(instance.ctx.db);
    const deliveries = new Deliveries(db, queue, log);
    const sent: string[] = [];
    const checks = {
      allowed: async () => true,
      publicOnly: false,
      restoreKeys: async () => [],
      send: async () => assert.fail("not a first try's fast path"),
      sendFirst: async (_message, body) => (sent.push(body.text), true),
    } as DeliveryChecks;
    // Two hosts, two batch jobs (as a fan-out queues them).
    for (const host of ["a.example", "b.example"]) {
      const ids = [randomUUID(), randomUUID()];
      await instance.ctx.db
        .insertInto("federation_deliveries")
        .values(
          ids.map((id, i) => ({
            id,
            host,
            inbox: `https://${host}/users/u${i}/inbox`,
            activity_id: activity.id,
            activity_type: "https://www.w3.org/ns/activitystreams#Create",
            status: "pending" as const,
            attempts: 0,
            message: JSON.stringify({
              type: "outbox",
              id,
              inbox: `https://${host}/users/u${i}/inbox`,
              payload: hash,
              keys: [],
              attempt: 0,
            }),
            next_attempt_at: new Date(),
          })),
        )
        .execute();
      await deliveries.deliverBatch(
        ids.map((deliveryId) => ({ deliveryId, attempt: 0 })),
        checks,
      );
    }
    // Each batch: its rows read, its successes recorded; the activity read by the first only.
    assert.deepEqual(kinds, ["select", "select", "update", "select", "update"]);
    // The body as before: the activity as read back from the database, serialised.
    const stored = await instance.ctx.db
      .selectFrom("federation_delivery_payloads")
      .select("activity")
      .where("hash", "=", hash)
      .executeTakeFirstOrThrow();
    assert.deepEqual(sent, Array(4).fill(JSON.stringify(stored.activity)));
  });
});
