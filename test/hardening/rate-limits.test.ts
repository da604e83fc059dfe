// Brakes that hold: through a Redis outage, against forged X-Forwarded-For, per account before
// per address, and not on an admin's own work.
import assert from "node:assert/strict";
import fs from "node:fs";
import supertest from "supertest";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { createMember, loggedIn } from "../support/accounts.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { person } from "../support/web.ts";

const deployed = /TRUST_PROXY: "([^"]+)"/.exec(
  fs.readFileSync(new URL("../../deploy/compose.yaml", import.meta.url), "utf8"),
)?.[1];

async function wrongPasswords(url: string, email: string, count: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const res = await supertest(url)
      .post("/api/v1/tokens")
      .send({ email, password: `pas le bon ${i}` });
    statuses.push(res.status);
  }
  return statuses;
}

describe("rate limits", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("lets fifty members behind one address log in, but stops ten wrong passwords", async () => {
    // A few at a time: each creation holds a database connection while it hashes.
    const members = [];
    while (members.length < 50)
      members.push(...(await Promise.all(Array.from({ length: 5 }, () => createMember(instance)))));
    for (const member of members) await loggedIn(instance, member);
    const target = members[0]!;
    const statuses = await wrongPasswords(instance.url, target.email, 11);
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[10], 429);
    const right = await supertest(instance.url)
      .post("/api/v1/tokens")
      .send({ email: target.email, password: target.password });
    assert.equal(right.status, 429, "the account stays braked for its window");
    // Another account from the same address is not.
    await loggedIn(instance, members[1]!);
  });

  it("does not brake an admin creating accounts through the API", async () => {
    const admin = await createMember(instance, "admin");
    const token = (
      await supertest(instance.url)
        .post("/api/v1/tokens")
        .send({ email: admin.email, password: admin.password })
    ).body as { token: string };
    for (let i = 0; i < 15; i++) {
      const res = await supertest(instance.url)
        .post("/api/v1/accounts")
        .auth(token.token, { type: "bearer" })
        .send(person("cree"));
      assert.equal(res.status, 201, `account ${i}`);
    }
    const anonymous: number[] = [];
    for (let i = 0; i < 11; i++)
      anonymous.push(
        (await supertest(instance.url).post("/api/v1/accounts").send(person())).status,
      );
    assert.equal(anonymous.at(-1), 429, "anonymous sign-ups are braked");
  });

  it("refuses to trust every proxy, and the deployed stack trusts only its own", async () => {
    assert.throws(() => loadConfig({ TRUST_PROXY: "true" }), ConfigError);
    assert.ok(deployed, "deploy/compose.yaml sets TRUST_PROXY");
    assert.equal(loadConfig({ TRUST_PROXY: deployed }).trustProxy, deployed);
    // Through the proxy (here: the test, on loopback), a client writing its own
    // X-Forwarded-For does not get a new address per request.
    const behind = await startTestInstance({ env: { TRUST_PROXY: "loopback" } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 11; i++) {
        const res = await supertest(behind.url)
          .post("/api/v1/accounts")
          .set("X-Forwarded-For", `198.51.100.${i + 1}, 203.0.113.7`)
          .send(person());
        statuses.push(res.status);
      }
      assert.equal(statuses.at(-1), 429);
    } finally {
      await behind.destroy();
    }
  });

  it("keeps counting in memory when Redis does not answer", async () => {
    const dead = await freePort();
    const alone = await startTestInstance({
      env: { REDIS_URL: `redis://127.0.0.1:${dead}`, PROCESS_ROLE: "web" },
    });
    try {
      const member = await createMember(alone);
      const statuses = await wrongPasswords(alone.url, member.email, 11);
      assert.equal(statuses[0], 401);
      assert.equal(statuses[10], 429);
    } finally {
      await alone.destroy();
    }
  });
});
