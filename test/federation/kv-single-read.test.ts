// A fan-out's lanes ask the key-value store for the same peer's signature scheme at once (ADR
// 0174): one statement reads it for all of them, and a write made meanwhile is not undone by
// the read's older answer.
import assert from "node:assert/strict";
import { DbKvStore } from "../../federation/kv.ts";
import { counting } from "../support/statements.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

const spec = (origin: string) => ["_fedify", "httpMessageSignaturesSpec", origin] as const;

describe("federation: key-value reads kept in memory", function () {
  this.timeout(60_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("reads a peer's scheme once for lanes asking at the same time", async () => {
    await new DbKvStore(instance.ctx.db).set(spec("https://a.example"), "rfc9421");
    const { db, kinds } = counting(instance.ctx.db);
    const kv = new DbKvStore(db);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => kv.get(spec("https://a.example"))),
    );
    assert.deepEqual(answers, Array(8).fill("rfc9421"));
    // An unknown peer too (the first knock is then Fedify's default).
    const unknown = await Promise.all(
      Array.from({ length: 8 }, () => kv.get(spec("https://b.example"))),
    );
    assert.deepEqual(unknown, Array(8).fill(undefined));
    assert.deepEqual(kinds, ["select", "select"]);
    // Both kept: asked again, no statement.
    await kv.get(spec("https://a.example"));
    await kv.get(spec("https://b.example"));
    assert.equal(kinds.length, 2);
  });

  it("keeps a write made while a read was under way, not the read's older answer", async () => {
    const kv = new DbKvStore(instance.ctx.db);
    const key = spec("https://c.example");
    await new DbKvStore(instance.ctx.db).set(key, "rfc9421");
    const reading = kv.get(key);
    await kv.set(key, "draft-cavage-http-signatures-12");
    await reading;
    assert.equal(await kv.get(key), "draft-cavage-http-signatures-12");
  });
});
