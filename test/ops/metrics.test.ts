import assert from "node:assert/strict";
import crypto from "node:crypto";
import { loadConfig, ConfigError } from "../../server/config.ts";
import { loggedIn } from "../support/accounts.ts";
import { DATABASE_URL } from "../support/env.ts";
import { freePort, startTestInstance, type TestInstance } from "../support/instance.ts";
import { browser } from "../support/web.ts";

const TOKEN = "a-long-metrics-token-for-tests";

async function until(check: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  assert.fail(`timed out waiting for ${what}`);
}

async function failingDelivery(instance: TestInstance, host: string): Promise<void> {
  await instance.ctx.db
    .insertInto("federation_deliveries")
    .values({
      id: crypto.randomUUID(),
      host,
      inbox: `https://${host}/inbox`,
      activity_type: "Create",
      status: "failing",
      attempts: 3,
      last_error: "HTTP 502",
      message: {},
    })
    .execute();
}

describe("metrics and operations status", () => {
  let instance: TestInstance;
  const admin = { email: "admin-ops@exemple.fr", password: "administrateur sûr" };
  before(async () => {
    instance = await startTestInstance({
      env: { ADMIN_EMAIL: admin.email, ADMIN_PASSWORD: admin.password },
    });
  });
  after(() => instance.destroy());

  it("exposes requests by route, jobs, deliveries by peer, pool and memory to loopback", async () => {
    await browser(instance.url).get("/healthz").expect(200);
    await failingDelivery(instance, "peer.example");
    await instance.ctx.queue.enqueue("maintenance.prune", {});
    let text = "";
    await until(async () => {
      text = (await browser(instance.url).get("/metrics").expect(200)).text;
      return text.includes('maillage_job_attempts_total{type="maintenance.prune",outcome="done"}');
    }, "the job to be counted");
    assert.match(
      text,
      /maillage_http_requests_total\{method="GET",route="\/healthz",status="200"\} 1/,
    );
    assert.match(
      text,
      /maillage_http_request_duration_seconds_bucket\{le="0.005",method="GET",route="\/healthz"\}/,
    );
    assert.match(text, /maillage_job_duration_seconds_count\{type="maintenance.prune"\} \d/);
    assert.match(text, /maillage_jobs\{state="pending"\} \d+/);
    assert.match(text, /maillage_job_queue_lag_seconds \d/);
    assert.match(text, /maillage_deliveries\{host="peer.example",state="failing"\} 1/);
    assert.match(text, /maillage_process_resident_memory_bytes \d+/);
    if (DATABASE_URL) assert.match(text, /maillage_db_pool_connections\{state="total"\} [1-9]/);
  });

  it("labels requests by route pattern, not by path", async () => {
    await browser(instance.url).get("/offers/00000000-0000-0000-0000-000000000001");
    await browser(instance.url).get("/offers/00000000-0000-0000-0000-000000000002");
    const text = (await browser(instance.url).get("/metrics")).text;
    // The ids, not any run of digits: a CPU-time sum such as 0.013900000000000001 has those too.
    assert.doesNotMatch(text, /00000000-0000-0000-0000-00000000000[12]/);
    assert.match(text, /route="\/offers\/:id"/);
  });

  it("shows queue lag, failing peers, uploads and the last backup on the admin dashboard", async () => {
    const agent = await loggedIn(instance, admin);
    const page = await agent.get("/admin").expect(200);
    assert.match(page.text, /État de l&#x27;instance|État de l'instance/);
    assert.match(page.text, /Retard de la file des tâches/);
    assert.match(page.text, /<th scope="row">peer.example<\/th>/);
    assert.match(page.text, /HTTP 502/);
    assert.match(page.text, /Dernière sauvegarde<\/dt>\s*<dd>aucune/);
  });
});

describe("metrics access", () => {
  let instance: TestInstance;
  before(async () => {
    // Loopback is not in the list: only the token opens the door.
    instance = await startTestInstance({
      env: { METRICS_ALLOW: "10.0.0.0/8", METRICS_TOKEN: TOKEN },
    });
  });
  after(() => instance.destroy());

  it("answers a wrong address or token with 404 and the right token with the metrics", async () => {
    await browser(instance.url).get("/metrics").expect(404);
    await browser(instance.url).get("/metrics").set("Authorization", "Bearer wrong").expect(404);
    const ok = await browser(instance.url)
      .get("/metrics")
      .set("Authorization", `Bearer ${TOKEN}`)
      .expect(200);
    assert.match(ok.text, /maillage_http_requests_total/);
  });

  it("gives a worker process its own metrics port", async () => {
    const port = await freePort();
    const worker = await startTestInstance({
      env: { PROCESS_ROLE: "worker", METRICS_PORT: String(port) },
    });
    try {
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /maillage_jobs\{state="pending"\}/);
      assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 404);
    } finally {
      await worker.destroy();
    }
  });

  it("refuses a bad allowlist or a short token at boot", () => {
    assert.throws(() => loadConfig({ METRICS_ALLOW: "lyon" }), ConfigError);
    assert.throws(() => loadConfig({ METRICS_TOKEN: "short" }), /METRICS_TOKEN/);
    assert.deepEqual(loadConfig({ METRICS_ALLOW: "192.168.1.0/24, ::1" }).metrics.allow, [
      "192.168.1.0/24",
      "::1",
    ]);
  });
});

describe("the Grafana dashboard", () => {
  let instance: TestInstance;
  before(async () => {
    instance = await startTestInstance();
  });
  after(() => instance.destroy());

  it("only charts metrics the instance exports", async () => {
    const fs = await import("node:fs");
    const dashboard = JSON.parse(fs.readFileSync("deploy/grafana-dashboard.json", "utf8")) as {
      panels: { targets: { expr: string }[] }[];
    };
    await browser(instance.url).get("/healthz");
    await instance.ctx.queue.enqueue("maintenance.prune", {});
    let text = "";
    await until(async () => {
      text = (await browser(instance.url).get("/metrics")).text;
      return text.includes("maillage_job_duration_seconds_bucket");
    }, "a job to be timed");
    const names = new Set(
      dashboard.panels.flatMap((p) =>
        p.targets.flatMap((t) => t.expr.match(/maillage_\w+/g) ?? []),
      ),
    );
    assert.ok(names.size >= 10);
    // Gauges without a value yet (no backup, no delivery, no pool in PGlite) still have HELP.
    for (const name of names) assert.match(text, new RegExp(`^(# HELP )?${name}[ {]`, "m"), name);
  });
});
