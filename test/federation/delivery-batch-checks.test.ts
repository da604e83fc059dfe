// A batch job's deliveries (ADR 0174): the policy is asked once for their host and the signing
// keys are restored once for all of them, not once per delivery; each delivery is still sent
// and recorded.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { Deliveries, type DeliveryChecks } from "../../federation/delivery/deliveries.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

describe("federation: what a batch of deliveries asks once", function () {
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
});
