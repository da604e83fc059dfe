// WEB_PROCESSES: several web processes behind one port (node:cluster). With PostgreSQL and
// Redis, a signed-in session holds on whichever process answers and the processes share one
// rate limit; in embedded mode (PGlite belongs to one process) the boot refuses it and says why.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { ConfigError, loadConfig } from "../../server/config.ts";
import { createMember } from "../support/accounts.ts";
import { dropDatabase, freshDatabaseUrl } from "../support/databases.ts";
import { DATABASE_URL, REDIS_URL } from "../support/env.ts";
import { freePort, startTestInstance } from "../support/instance.ts";
import { spawnMaillage, waitForHttp, type Spawned } from "../support/processes.ts";
import { csrfFrom } from "../support/web.ts";

interface Answer {
  status: number;
  text: string;
  requestId: string;
}

/** A client that opens a new connection for every request, so the cluster spreads them. */
function client(origin: string) {
  const cookies = new Map<string, string>();
  function request(pathname: string, body?: URLSearchParams): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {};
      if (cookies.size) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join("; ");
      const payload = body?.toString();
      if (payload !== undefined) {
        headers["content-type"] = "application/x-www-form-urlencoded";
        headers["content-length"] = String(Buffer.byteLength(payload));
      }
      const req = http.request(
        `${origin}${pathname}`,
        { method: payload === undefined ? "GET" : "POST", headers, agent: false },
        (res) => {
          for (const line of res.headers["set-cookie"] ?? []) {
            const [pair] = line.split(";");
            const at = pair!.indexOf("=");
            cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
          }
          let text = "";
          res.setEncoding("utf8");
          res.on("data", (chunk: string) => (text += chunk));
          res.on("end", () =>
            resolve({
              status: res.statusCode!,
              text,
              requestId: String(res.headers["x-request-id"]),
            }),
          );
        },
      );
      req.on("error", reject);
      req.end(payload);
    });
  }
  async function submit(page: string, fields: Record<string, string>) {
    const form = await request(page);
    return request(page, new URLSearchParams({ ...fields, _csrf: csrfFrom(form.text) }));
  }
  return { request, submit };
}

describe("web processes: WEB_PROCESSES", function () {
  this.timeout(180_000);

  it("is refused in embedded mode, without Redis and outside PROCESS_ROLE=web", () => {
    const refused = (env: Record<string, string>, why: RegExp) =>
      assert.throws(
        () => loadConfig({ PROCESS_ROLE: "web", ...env }),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.variable === "WEB_PROCESSES" &&
          why.test(error.message),
      );
    refused({ WEB_PROCESSES: "2" }, /embedded mode: the PGlite database belongs to one process/);
    refused({ WEB_PROCESSES: "2", DATABASE_URL: "postgres://db/m" }, /without REDIS_URL/);
    const both = { DATABASE_URL: "postgres://db/m", REDIS_URL: "redis://r:6379" };
    refused({ ...both, WEB_PROCESSES: "2", PROCESS_ROLE: "all" }, /unless PROCESS_ROLE=web/);
    refused({ ...both, WEB_PROCESSES: "0" }, /an integer from 1 to 64/);
    assert.equal(loadConfig({}).webProcesses, 1);
    assert.equal(loadConfig({ ...both, PROCESS_ROLE: "web", WEB_PROCESSES: "3" }).webProcesses, 3);
    assert.equal(
      loadConfig({ ...both, PROCESS_ROLE: "web", WEB_PROCESSES: "auto" }).webProcesses,
      os.availableParallelism(),
    );
  });

  it("an embedded instance asked for two web processes stops at boot with the reason", async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-cluster-"));
    try {
      const run = spawnMaillage("start", {
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        PROCESS_ROLE: "web",
        WEB_PROCESSES: "2",
      });
      const { code } = await run.exited;
      assert.equal(code, 1);
      assert.match(run.output(), /Configuration error: WEB_PROCESSES: expected 1 .*embedded mode/);
      assert.ok(!fs.existsSync(path.join(dataDir, "pglite")), "no database was opened");
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  describe("two web processes on PostgreSQL and Redis", function () {
    let cluster: Spawned | undefined;
    let databaseUrl: string | undefined;
    let dataDir: string;
    let origin: string;
    let staff: { email: string; password: string };

    before(async function () {
      if (!DATABASE_URL || !REDIS_URL) {
        console.warn("web processes: they need PostgreSQL and Redis; this part runs in that pass");
        this.skip();
      }
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-cluster-"));
      databaseUrl = await freshDatabaseUrl();
      const [port, seedPort] = await Promise.all([freePort(), freePort()]);
      origin = `http://127.0.0.1:${port}`;
      const redisPrefix = `cl${crypto.randomBytes(3).toString("hex")}`;
      const env: Record<string, string> = {
        PUBLIC_URL: origin,
        HOST: "127.0.0.1",
        PORT: String(port),
        DATA_DIR: dataDir,
        DATABASE_URL: databaseUrl!,
        REDIS_URL: REDIS_URL,
        REDIS_PREFIX: redisPrefix,
        LOG_LEVEL: "info",
        LOG_FORMAT: "json",
      };
      const seed = await startTestInstance({
        env: { ...env, LOG_LEVEL: "silent" },
        reuse: { databaseUrl, dataDir, port: seedPort!, redisPrefix },
      });
      staff = await createMember(seed, "staff");
      await seed.stop();
      cluster = spawnMaillage("start", { ...env, PROCESS_ROLE: "web", WEB_PROCESSES: "2" });
      await waitForHttp(`${origin}/healthz`);
      // The second process boots after the first (which migrates): slow on a busy machine.
      for (let i = 0; i < 900 && !/"processes":2/.test(cluster.output()); i++)
        await new Promise((resolve) => setTimeout(resolve, 100));
    });

    after(async () => {
      if (cluster) {
        cluster.child.kill("SIGTERM");
        const { code } = await cluster.exited;
        assert.equal(code, 0, "the primary and its web processes stop cleanly");
      }
      if (databaseUrl) await dropDatabase(databaseUrl);
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    });

    /** The process id of the web process that logged this request. */
    async function servedBy(requestId: string): Promise<number> {
      for (let i = 0; i < 50; i++) {
        const line = cluster!
          .output()
          .split("\n")
          .find((l) => l.includes(`"id":"${requestId}"`));
        if (line) return (JSON.parse(line) as { pid: number }).pid;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`request ${requestId} was not logged`);
    }

    it("keeps a signed-in session on whichever process answers", async () => {
      assert.match(cluster!.output(), /"processes":2/);
      const browser = client(origin);
      const login = await browser.submit("/login", {
        email: staff.email,
        password: staff.password,
      });
      assert.equal(login.status, 303, login.text.slice(0, 200));
      const pids = new Set<number>();
      for (let i = 0; i < 8; i++) {
        const me = await browser.request("/me");
        assert.equal(me.status, 200, "signed in on whichever process answers");
        pids.add(await servedBy(me.requestId));
      }
      assert.equal(pids.size, 2, `both web processes knew the session: ${[...pids]}`);
      assert.ok(!pids.has(cluster!.child.pid!), "the primary serves nothing itself");
    });

    it("counts one rate limit for both processes", async () => {
      const visitor = client(origin);
      const pids = new Set<number>();
      let limited = 0;
      // Sign-ups: ten a minute per address, whichever process counts them.
      for (let i = 0; i < 25 && !limited; i++) {
        // The cluster hands connections out in turn and a sign-up takes two (form, post): one
        // more every other time sends the posts to both processes.
        if (i % 2 === 1) await visitor.request("/healthz");
        const sent = await visitor.submit("/signup", { email: `pas-une-adresse-${i}` });
        pids.add(await servedBy(sent.requestId));
        if (sent.status === 429) limited = i + 1;
        else assert.equal(sent.status, 422, sent.text.slice(0, 200));
      }
      assert.equal(pids.size, 2, "both processes took sign-ups");
      assert.equal(limited, 11, "the eleventh sign-up is refused, not the twenty-first");
    });
  });
});
