// PostgreSQL going away under a running instance: its connections cut (pg_terminate_backend)
// when idle and during traffic, and the server itself restarted. The process must live through
// it, answer 503 while the database is gone, report it in /readyz, and serve (and send its
// mails) again once the database is back.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { dropDatabase, freshDatabaseUrl } from "../support/databases.ts";
import { DATABASE_URL } from "../support/env.ts";
import { freePort } from "../support/instance.ts";
import { readMails, waitForMail } from "../support/mail.ts";
import { startPrivatePostgres, type PrivatePostgres } from "../support/private-servers.ts";
import { spawnMaillage, waitForHttp, type Spawned } from "../support/processes.ts";
import { browser, person, submit } from "../support/web.ts";

async function terminateBackends(databaseUrl: string): Promise<number> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.href });
  await client.connect();
  try {
    const result = await client.query(
      `select pg_terminate_backend(pid) from pg_stat_activity
       where datname = $1 and pid <> pg_backend_pid()`,
      [name],
    );
    return result.rowCount ?? 0;
  } finally {
    await client.end();
  }
}

interface Started {
  run: Spawned;
  url: string;
  dataDir: string;
}

async function start(databaseUrl: string): Promise<Started> {
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-dbloss-"));
  const run = spawnMaillage("start", {
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    LOG_LEVEL: "warn",
    DATABASE_URL: databaseUrl,
    WORKER_CONCURRENCY: "2",
    // An admin exists, so that pages are served rather than led to /setup.
    ADMIN_EMAIL: "chef-dbloss@exemple.fr",
    ADMIN_PASSWORD: "administrateur sûr",
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`);
  return { run, url, dataDir };
}

async function readyz(url: string) {
  const res = await fetch(`${url}/readyz`);
  return {
    status: res.status,
    body: (await res.json()) as {
      checks: { database: string };
      databaseConnectionsLost: number;
      databaseLastLostAt?: string;
    },
  };
}

async function until(check: () => Promise<boolean>, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what} not within ${ms} ms`);
}

async function stopProcess(started: Started) {
  if (started.run.child.exitCode === null) {
    started.run.child.kill("SIGTERM");
    await started.run.exited;
  }
  fs.rmSync(started.dataDir, { recursive: true, force: true });
}

function assertAlive(started: Started) {
  assert.equal(started.run.child.exitCode, null, `the process died:\n${started.run.output()}`);
  assert.equal(started.run.child.signalCode, null, `the process died:\n${started.run.output()}`);
}

describe("processes: database connections cut (PostgreSQL)", function () {
  this.timeout(180_000);
  let databaseUrl: string;
  let started: Started;

  before(async function () {
    if (!DATABASE_URL) return this.skip();
    databaseUrl = (await freshDatabaseUrl())!;
    started = await start(databaseUrl);
  });
  after(async () => {
    if (started) await stopProcess(started);
    if (databaseUrl) await dropDatabase(databaseUrl);
  });

  it("lives through its idle connections being terminated and serves again", async () => {
    for (const page of ["/", "/signup", "/login"]) {
      assert.equal((await fetch(`${started.url}${page}`)).status, 200);
    }
    await new Promise((r) => setTimeout(r, 300)); // the pool's connections are idle now
    const cut = await terminateBackends(databaseUrl);
    assert.ok(cut > 0, "the instance had connections to cut");
    await new Promise((r) => setTimeout(r, 500));
    assertAlive(started);
    assert.equal((await fetch(`${started.url}/signup`)).status, 200);
    const ready = await readyz(started.url);
    assert.equal(ready.status, 200);
    assert.equal(ready.body.checks.database, "ok");
    assert.ok(ready.body.databaseConnectionsLost >= 1, JSON.stringify(ready.body));
    assert.ok(ready.body.databaseLastLostAt);
  });

  it("lives through connections cut during sign-ups; every accepted one is mailed", async () => {
    // Sign-ups are limited to ten a minute from one address: five, and their retries, fit.
    const people = Array.from({ length: 5 }, () => person("cut"));
    let cutting = true;
    const cutter = (async () => {
      while (cutting) {
        await terminateBackends(databaseUrl);
        await new Promise((r) => setTimeout(r, 40));
      }
    })();
    const reads = Promise.all(
      Array.from({ length: 30 }, async () => {
        const res = await fetch(`${started.url}/offers`);
        await res.arrayBuffer();
        return res.status;
      }),
    );
    const statuses = await Promise.all(
      people.map(async (who) => {
        try {
          return (await submit(browser(started.url), "/signup", "/signup", who)).status;
        } catch {
          return 0; // the page holding the form was a 503: nothing submitted
        }
      }),
    );
    const readStatuses = await reads;
    cutting = false;
    await cutter;
    assertAlive(started);
    for (const status of readStatuses) assert.ok([200, 503].includes(status), `got ${status}`);
    // 403: the session holding the form's token could not be saved, so nothing was submitted.
    for (const status of statuses) assert.ok([0, 303, 403, 503].includes(status), `got ${status}`);

    // Once the cuts stop the instance serves normally, and the cut ones can sign up again.
    await until(async () => (await readyz(started.url)).status === 200, "ready again");
    const accepted = people.filter((_, i) => statuses[i] === 303);
    for (const [i, who] of people.entries()) {
      if (statuses[i] === 303) continue;
      const again = await submit(browser(started.url), "/signup", "/signup", who);
      // A 503 may have come after the commit (the answer was lost, not the work).
      assert.ok([303, 200, 422].includes(again.status), `retry got ${again.status}`);
      if (again.status === 303) accepted.push(who);
    }
    assert.ok(accepted.length > 0);
    for (const who of accepted) {
      await waitForMail(started.dataDir, who.email, /Confirmez/, 60_000);
    }
    const counts = new Map<string, number>();
    for (const mail of readMails(started.dataDir))
      counts.set(mail.to, (counts.get(mail.to) ?? 0) + 1);
    for (const who of accepted) {
      const n = [...counts].filter(([to]) => to.includes(who.email)).reduce((a, [, c]) => a + c, 0);
      assert.equal(n, 1, `${who.email} got ${n} confirmation mails`);
    }
    assertAlive(started);
  });
});

describe("processes: PostgreSQL restarted under a running instance", function () {
  this.timeout(240_000);
  let server: PrivatePostgres | undefined;
  let started: Started | undefined;

  before(async function () {
    server = await startPrivatePostgres();
    if (!server) return this.skip(); // no PostgreSQL binaries on this machine
  });
  after(async () => {
    if (started) await stopProcess(started);
    server?.destroy();
  });

  it("answers 503 while it is down, reports it in /readyz, and recovers", async () => {
    const client = new pg.Client({ connectionString: server!.url });
    await client.connect();
    await client.query("create database maillage");
    await client.end();
    const url = new URL(server!.url);
    url.pathname = "/maillage";
    started = await start(url.href);
    const before = person("restart");
    assert.equal((await submit(browser(started.url), "/signup", "/signup", before)).status, 303);
    await waitForMail(started.dataDir, before.email, /Confirmez/, 60_000);

    server!.stop();
    assertAlive(started);
    const down = await readyz(started.url);
    assert.equal(down.status, 503);
    assert.equal(down.body.checks.database, "unreachable");
    assert.equal((await fetch(`${started.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${started.url}/offers`)).status, 503);
    await new Promise((r) => setTimeout(r, 1500)); // the worker polls the database meanwhile
    assertAlive(started);

    server!.start();
    await until(async () => (await readyz(started!.url)).status === 200, "ready after restart");
    const after = person("restart");
    assert.equal((await submit(browser(started.url), "/signup", "/signup", after)).status, 303);
    await waitForMail(started.dataDir, after.email, /Confirmez/, 60_000);
    const ready = await readyz(started.url);
    assert.ok(ready.body.databaseConnectionsLost >= 1, JSON.stringify(ready.body));
    assertAlive(started);
  });
});
