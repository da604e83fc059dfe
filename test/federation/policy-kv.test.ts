import assert from "node:assert/strict";
import { DbKvStore } from "../../federation/kv.ts";
import { DomainPolicy, normalizeDomain } from "../../federation/policy.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";

describe("federation: domain policy and key-value store", function () {
  this.timeout(60_000);
  let instance: TestInstance;

  before(async () => {
    instance = await startTestInstance({
      env: { FEDERATION_MODE: "open", FEDERATION_ALLOWED_DOMAINS: "cmcas-lyon.example" },
    });
  });
  after(() => instance.destroy());

  it("normalizes what admins type", () => {
    assert.equal(normalizeDomain(" CMCAS-Lyon.Example. "), "cmcas-lyon.example");
    assert.equal(normalizeDomain("https://cmcas.example:8443/users/x"), "cmcas.example:8443");
    assert.equal(normalizeDomain("127.0.0.1:3001"), "127.0.0.1:3001");
    assert.equal(normalizeDomain("pas un domaine"), undefined);
    assert.equal(normalizeDomain("javascript:alert(1)"), undefined);
  });

  it("open mode federates with everyone but blocked domains and their subdomains", async () => {
    const policy = new DomainPolicy(instance.ctx.db, "open", "127.0.0.1:1");
    assert.equal(await policy.allows("anyone.example"), true);
    await policy.set("spam.example", "block", null);
    assert.equal(await policy.allows("spam.example"), false);
    assert.equal(await policy.allows("https://www.spam.example/users/x"), false);
    assert.equal(await policy.allows("notspam.example"), true);
    assert.equal(await policy.allows("127.0.0.1:1"), true);
  });

  it("allowlist mode federates only with listed hosts, port included", async () => {
    const policy = new DomainPolicy(instance.ctx.db, "allowlist", "127.0.0.1:1");
    // Bootstrapped from FEDERATION_ALLOWED_DOMAINS at boot.
    assert.equal(await policy.allows("cmcas-lyon.example"), true);
    assert.equal(await policy.allows("sub.cmcas-lyon.example"), false);
    assert.equal(await policy.allows("anyone.example"), false);
    await policy.set("127.0.0.1:3002", "allow", null);
    assert.equal(await policy.allows("http://127.0.0.1:3002/inbox"), true);
    assert.equal(await policy.allows("http://127.0.0.1:3003/inbox"), false);
    // An admin's block wins over the configuration at the next boot.
    await policy.set("cmcas-lyon.example", "block", null);
    await policy.bootstrap(["cmcas-lyon.example"]);
    assert.equal(await policy.allows("cmcas-lyon.example"), false);
  });

  it("stores, expires, compares-and-swaps and lists Fedify's keys", async () => {
    const kv = new DbKvStore(instance.ctx.db);
    await kv.set(["t", "a"], { n: 1 });
    await kv.set(["t", "b"], [1, 2]);
    await kv.set(["tt", "c"], "other prefix");
    await kv.set(["t", "gone"], true, { ttl: Temporal.Duration.from({ milliseconds: 1 }) });
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await kv.get(["t", "a"]), { n: 1 });
    assert.equal(await kv.get(["t", "gone"]), undefined);
    const listed = [];
    for await (const entry of kv.list(["t"])) listed.push(entry);
    assert.deepEqual(listed, [
      { key: ["t", "a"], value: { n: 1 } },
      { key: ["t", "b"], value: [1, 2] },
    ]);
    assert.equal(await kv.cas(["t", "a"], { n: 2 }, { n: 3 }), false);
    assert.equal(await kv.cas(["t", "a"], { n: 1 }, { n: 3 }), true);
    assert.deepEqual(await kv.get(["t", "a"]), { n: 3 });
    assert.equal(await kv.cas(["t", "new"], undefined, 1), true);
    assert.equal(await kv.cas(["t", "new"], undefined, 2), false);
    // An expired entry counts as absent.
    assert.equal(await kv.cas(["t", "gone"], undefined, "back"), true);
    await kv.delete(["t", "a"]);
    assert.equal(await kv.get(["t", "a"]), undefined);
  });
});
