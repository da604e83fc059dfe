// An activity queued without Fedify's handler (ADR 0169) and received twice is handled once:
// the direct path makes no idempotency read of its own (Fedify's, at the inbox, read a record
// only its queue-less mode writes), so this rests on the worker's record, which still runs (in
// Redis when the instance has it, ADR 0170).
import assert from "node:assert/strict";
import { openGroup } from "../support/groups.ts";
import { FakePeer } from "../support/fake-peer.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { MODE } from "../support/env.ts";

const AS = "https://www.w3.org/ns/activitystreams";

describe(`inbox: an activity received twice by the shared inbox (${MODE})`, function () {
  this.timeout(120_000);
  let peer: FakePeer;
  let a: TestInstance;
  let member: string;
  let group: string;

  before(async () => {
    peer = await FakePeer.start();
    member = await peer.actor("/users/lea", { type: "Person", preferredUsername: "lea" });
    a = await startTestInstance({
      env: { FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1", FEDERATION_ALLOWED_DOMAINS: peer.host },
    });
    group = (await openGroup(a)).uri;
  });
  after(async () => {
    await a?.destroy();
    await peer?.close();
  });

  const posts = async (apId: string) =>
    (await a.ctx.db.selectFrom("forum_posts").select("id").where("ap_id", "=", apId).execute())
      .length;

  /** The idempotence records: in Redis when the instance has it (ADR 0170), else in the table. */
  const idempotenceKeys = async (): Promise<string[]> => {
    const redis = a.ctx.redis;
    if (redis) {
      const prefix = `${a.ctx.config.redisPrefix}:kv:`;
      const keys = await redis.keys(`${prefix}_fedify\u001factivityIdempotence*`);
      return keys.map((k) => k.slice(prefix.length));
    }
    const rows = await a.ctx.db
      .selectFrom("federation_kv")
      .select("key")
      .where("key", "like", "_fedify\u001factivityIdempotence%")
      .execute();
    return rows.map((r) => r.key);
  };

  it("keeps one post when the same Create comes twice, each time freshly signed", async () => {
    const id = `${peer.url}/notes/${crypto.randomUUID()}`;
    const create = {
      "@context": AS,
      id: `${id}#create`,
      type: "Create",
      actor: member,
      to: [`${AS}#Public`],
      cc: [group],
      object: {
        id,
        type: "Note",
        attributedTo: member,
        audience: group,
        to: [`${AS}#Public`],
        cc: [group],
        content: "<p>Qui a une remorque à prêter samedi ?</p>",
      },
    };
    const first = await peer.post(`${a.url}/inbox`, create, member);
    assert.equal(first.status, 202, await first.text());
    for (let i = 0; i < 200 && (await posts(id)) === 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal(await posts(id), 1, "the first copy is stored");
    // The record that keeps it from being handled twice is the worker's (origin, id); the one
    // Fedify's handler read at the inbox (per inbox) was never written, so that read was dropped.
    const records = (await idempotenceKeys()).map((k) => k.split("\u001f").slice(2));
    assert.deepEqual(
      records.filter((k) => k.join(" ").includes(create.id)),
      [[a.ctx.config.publicUrl.origin, create.id]],
    );
    const second = await peer.post(`${a.url}/inbox`, create, member);
    assert.equal(second.status, 202, await second.text());
    // Until the queue is empty again: the second copy's job has run by then.
    for (let i = 0; i < 200 && (await a.ctx.queue.stats()).pending > 0; i++)
      await new Promise((r) => setTimeout(r, 50));
    assert.equal((await a.ctx.queue.stats()).pending, 0, "the second copy's job has run");
    assert.equal(await posts(id), 1, "and stored nothing more");
  });
});
