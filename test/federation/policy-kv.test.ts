import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Create, Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { publishToFollowers } from "../../federation/outbox.ts";
import { actorUri, newActivityId } from "../../federation/uris.ts";
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

  it("gives every context it creates the same document and context loaders", () => {
    // Fedify built both anew for each context (twice per inbox activity); they keep no state.
    const runtime = instance.federation;
    const one = runtime.context();
    const two = runtime.federation.createContext(new URL("/inbox", one.origin), undefined);
    assert.equal(one.documentLoader, two.documentLoader);
    assert.equal(one.contextLoader, two.contextLoader);
    assert.notEqual(one.documentLoader, one.contextLoader);
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

  it("keeps the inbox's idempotence records in Redis when the instance has it (ADR 0170)", async function () {
    const redis = instance.ctx.redis;
    if (!redis) return this.skip(); // embedded mode: no Redis, the table keeps them (above)
    const prefix = instance.ctx.config.redisPrefix;
    const kv = new DbKvStore(instance.ctx.db, { redis, prefix });
    const key = [
      "_fedify",
      "activityIdempotence",
      "https://a.example",
      "https://b.example/1",
    ] as const;
    const redisKey = `${prefix}:kv:${key.join("\u001f")}`;
    assert.equal(await kv.get(key), undefined);
    await kv.set(key, true, { ttl: Temporal.Duration.from({ days: 1 }) });
    assert.equal(await kv.get(key), true);
    // In Redis, with Fedify's lifetime; no row in the table.
    const ttl = await redis.pttl(redisKey);
    assert.ok(ttl > 86_000_000 && ttl <= 86_400_000, `ttl ${ttl}`);
    const rows = await instance.ctx.db
      .selectFrom("federation_kv")
      .select("key")
      .where("key", "=", key.join("\u001f"))
      .execute();
    assert.deepEqual(rows, []);
    // Another process's store (same Redis, same prefix) sees it; another instance's does not.
    assert.equal(await new DbKvStore(instance.ctx.db, { redis, prefix }).get(key), true);
    assert.equal(
      await new DbKvStore(instance.ctx.db, { redis, prefix: `${prefix}x` }).get(key),
      undefined,
    );
    await kv.delete(key);
    assert.equal(await kv.get(key), undefined);
    // Every other key stays in the table.
    await kv.set(["_fedify", "remoteDocument", "https://b.example/2"], { a: 1 });
    const kept = await instance.ctx.db
      .selectFrom("federation_kv")
      .select("value")
      .where("key", "=", ["_fedify", "remoteDocument", "https://b.example/2"].join("\u001f"))
      .executeTakeFirst();
    assert.deepEqual(kept?.value, { a: 1 });
    await redis.del(redisKey);
  });
});

describe("federation: private addresses", function () {
  this.timeout(60_000);
  let instance: TestInstance;
  let sink: http.Server;
  let hits = 0;

  before(async () => {
    sink = http.createServer((req, res) => {
      hits++;
      req.resume();
      res.writeHead(202).end();
    });
    await new Promise<void>((resolve) => sink.listen(0, "127.0.0.1", resolve));
    // Open mode: the policy lets everything through, only the address check stands.
    instance = await startTestInstance({ env: { FEDERATION_MODE: "open" } });
  });
  after(async () => {
    sink.close();
    await instance.destroy();
  });

  it("without FEDERATION_ALLOW_PRIVATE_ADDRESSES, neither fetches nor delivers to them", async () => {
    const host = `127.0.0.1:${(sink.address() as AddressInfo).port}`;
    const runtime = instance.federation;
    const found = await runtime.lookup(`http://${host}/users/cmcas`);
    assert.deepEqual(found, { ok: false, error: "not_found" });

    const remote = await saveRemoteActor(instance.ctx.db, {
      uri: `http://${host}/actor`,
      host,
      type: "Application",
      username: "sink",
      name: "Sink",
      summary: "",
      url: null,
      iconUrl: null,
      inbox: `http://${host}/inbox`,
      sharedInbox: null,
      outbox: null,
      followersUrl: null,
    });
    await saveFollow(instance.ctx.db, {
      localActor: "cmcas",
      localUserId: null,
      remoteActorId: remote.id,
      direction: "incoming",
      state: "accepted",
      activityId: `http://${host}/follows/1`,
    });
    const publicUrl = instance.ctx.config.publicUrl;
    const actor = actorUri(publicUrl, "cmcas");
    const id = newActivityId(publicUrl);
    await instance.ctx.transaction((tx) =>
      publishToFollowers(
        tx,
        "cmcas",
        new Create({ id, actor, to: PUBLIC_COLLECTION, object: new Note({ content: "x" }) }),
      ),
    );
    const deadline = Date.now() + 20_000;
    let delivery;
    while (Date.now() < deadline) {
      delivery = await instance.ctx.db
        .selectFrom("federation_deliveries")
        .selectAll()
        .where("activity_id", "=", id.href)
        .executeTakeFirst();
      if (delivery?.status === "dead") break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(delivery?.status, "dead");
    assert.match(delivery?.last_error ?? "", /refused/);
    assert.equal(hits, 0);
  });
});
