// The production topology without containers: two web processes and a worker of one instance
// (PROCESS_ROLE) on PostgreSQL and Redis, behind Debian's nginx running deploy/nginx.conf with a
// test certificate. Checked through TLS: requests spread over both web processes, the client's
// address (not nginx's) reaches the rate limits and the logs, an offer image uploads through the
// proxy, a session holds across both processes, the worker sends what the web processes queue,
// and a graceful `nginx -s reload` loses no request of a bounded loop.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import sharp from "sharp";
import { Agent, fetch, FormData, Headers } from "undici";
import { createMember } from "../support/accounts.ts";
import { dropDatabase, freshDatabaseUrl } from "../support/databases.ts";
import { DATABASE_URL, REDIS_URL } from "../support/env.ts";
import { freePort, startTestInstance } from "../support/instance.ts";
import { waitForMail } from "../support/mail.ts";
import { NGINX, startNginx, type RunningNginx } from "../support/nginx.ts";
import { spawnMaillage, waitForHttp, type Spawned } from "../support/processes.ts";
import { csrfFrom, person } from "../support/web.ts";
import { makeOffer } from "../offers/support.ts";

/** A client of the proxy from one loopback address, with its own cookies. */
function client(origin: string, ca: string, localAddress: string, keepAlive = true) {
  // `pipelining: 0`: a new connection for every request (no keep-alive).
  const agent = new Agent({
    localAddress,
    connect: { ca },
    ...(keepAlive ? {} : { pipelining: 0 }),
  });
  const cookies = new Map<string, string>();
  async function request(pathname: string, init: Parameters<typeof fetch>[1] = {}) {
    const headers = new Headers(init.headers);
    if (cookies.size) headers.set("cookie", [...cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const res = await fetch(`${origin}${pathname}`, {
      ...init,
      headers,
      redirect: "manual",
      dispatcher: agent,
      signal: AbortSignal.timeout(15_000),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const at = pair!.indexOf("=");
      cookies.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const text = await res.text();
    return { status: res.status, headers: res.headers, text };
  }
  async function submit(
    page: string,
    action: string,
    fields: Record<string, string>,
    headers: Record<string, string> = {},
  ) {
    const form = await request(page);
    const body = new URLSearchParams({ ...fields, _csrf: csrfFrom(form.text) });
    return request(action, { method: "POST", body, headers });
  }
  /** The response itself (bytes), without cookies. */
  const raw = (pathname: string) => fetch(`${origin}${pathname}`, { dispatcher: agent });
  return { request, submit, raw, close: () => agent.close() };
}

describe("topology: two web processes and a worker behind nginx, on TLS", function () {
  this.timeout(240_000);
  const processes: Spawned[] = [];
  let nginx: RunningNginx | undefined;
  let databaseUrl: string | undefined;
  let dataDir: string;
  let origin: string;
  let ca: string;
  let web: Spawned[];
  let staff: { email: string; password: string };
  let offer: { id: string };

  before(async function () {
    if (!fs.existsSync(NGINX)) {
      console.warn(`${NGINX} is absent (apt-get install -y nginx): topology test skipped`);
      this.skip();
    }
    if (!DATABASE_URL) {
      console.warn("topology test: several processes need PostgreSQL; it runs in that pass");
      this.skip();
    }
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-topology-"));
    databaseUrl = await freshDatabaseUrl();
    const [webA, webB, http, https, seedPort] = await Promise.all(
      Array.from({ length: 5 }, () => freePort()),
    );
    origin = `https://127.0.0.1:${https}`;
    const redisPrefix = `topo${crypto.randomBytes(3).toString("hex")}`;
    const env: Record<string, string> = {
      PUBLIC_URL: origin,
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      DATABASE_URL: databaseUrl!,
      REDIS_PREFIX: redisPrefix,
      // Only nginx's own address: a client cannot choose its address by sending the header.
      TRUST_PROXY: "127.0.0.1",
      LOG_LEVEL: "info",
      ...(REDIS_URL ? { REDIS_URL } : {}),
    };
    // Migrated, with a staff member and an offer, by an instance of this process, then stopped.
    const seed = await startTestInstance({
      env: { ...env, LOG_LEVEL: "silent" },
      reuse: { databaseUrl, dataDir, port: seedPort!, redisPrefix },
    });
    const member = await createMember(seed, "staff");
    staff = member;
    offer = await makeOffer(seed, member.user.id);
    await seed.stop();

    web = [webA!, webB!].map((port) =>
      spawnMaillage("start", { ...env, PORT: String(port), PROCESS_ROLE: "web" }),
    );
    processes.push(...web, spawnMaillage("start", { ...env, PROCESS_ROLE: "worker" }));
    await Promise.all([webA, webB].map((port) => waitForHttp(`http://127.0.0.1:${port}/healthz`)));
    nginx = await startNginx({ http: http!, https: https!, upstreams: [webA!, webB!] });
    ca = fs.readFileSync(path.join(nginx.dir, "cert.pem"), "utf8");
  });

  after(async () => {
    await nginx?.stop();
    for (const p of processes) p.child.kill("SIGTERM");
    await Promise.all(processes.map((p) => p.exited));
    if (databaseUrl) await dropDatabase(databaseUrl);
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Which web process logged the request with this id (nginx's $request_id). */
  function servedBy(requestId: string): number[] {
    return web.flatMap((p, i) => (p.output().includes(`"id":"${requestId}"`) ? [i] : []));
  }

  it("serves TLS, sends plain http to https, and spreads requests over both web processes", async () => {
    const browser = client(origin, ca, "127.0.0.2");
    const ids: string[] = [];
    for (let i = 0; i < 12; i++) {
      const res = await browser.request("/");
      assert.equal(res.status, 200);
      ids.push(res.headers.get("x-request-id")!);
    }
    const plain = await fetch(`http://127.0.0.1:${nginx!.ports.http}/offers`, {
      redirect: "manual",
    });
    assert.equal(plain.status, 301);
    assert.match(plain.headers.get("location") ?? "", /^https:\/\//);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const counts = [0, 0];
    for (const id of ids) for (const i of servedBy(id)) counts[i]!++;
    assert.equal(counts[0]! + counts[1]!, 12, `each request logged once: ${counts}`);
    assert.ok(counts[0]! >= 3 && counts[1]! >= 3, `both web processes served: ${counts}`);
    await browser.close();
  });

  it("the client's address, not nginx's, reaches the logs and the rate limits", async () => {
    const first = client(origin, ca, "127.0.0.2");
    const res = await first.request("/offers", { headers: { "x-forwarded-for": "203.0.113.7" } });
    assert.equal(res.status, 200);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const id = res.headers.get("x-request-id")!;
    const line = web
      .flatMap((p) => p.output().split("\n"))
      .find((l) => l.includes(`"id":"${id}"`) && l.includes('"ip"'));
    assert.ok(line, "the request is logged");
    assert.equal((JSON.parse(line) as { req: { ip: string } }).req.ip, "127.0.0.2");

    // Sign-ups: ten a minute per address (counted in Redis, or per process without it).
    let limited = 0;
    for (let i = 0; i < 25 && !limited; i++) {
      const sent = await first.submit("/signup", "/signup", { email: `pas-une-adresse-${i}` });
      if (sent.status === 429) limited = i + 1;
      else assert.equal(sent.status, 422, sent.text.slice(0, 200));
    }
    assert.ok(limited > 10, `the address was limited after ${limited} sign-ups`);
    const spoofing = await first.submit(
      "/signup",
      "/signup",
      { email: "encore-une" },
      { "x-forwarded-for": "198.51.100.23" },
    );
    assert.equal(spoofing.status, 429, "a forged X-Forwarded-For does not escape the limit");
    const other = client(origin, ca, "127.0.0.3");
    const who = person("topo");
    const fresh = await other.submit("/signup", "/signup", who);
    assert.equal(fresh.status, 303, "another address is not limited");
    // The worker sends what a web process queued.
    const mail = await waitForMail(dataDir, who.email, /Confirmez/, 60_000);
    assert.match(mail.text, /\/confirm\//);
    await first.close();
    await other.close();
  });

  it("keeps a session across both web processes and takes an offer image through the proxy", async () => {
    const browser = client(origin, ca, "127.0.0.4");
    const login = await browser.submit("/login", "/login", {
      email: staff.email,
      password: staff.password,
    });
    assert.equal(login.status, 303, login.text.slice(0, 200));
    const seen = new Set<number>();
    for (let i = 0; i < 8; i++) {
      const me = await browser.request("/me");
      assert.equal(me.status, 200, "signed in on whichever process answers");
      await new Promise((resolve) => setTimeout(resolve, 100));
      for (const p of servedBy(me.headers.get("x-request-id")!)) seen.add(p);
    }
    assert.equal(seen.size, 2, "both web processes knew the session");

    const photo = await sharp({
      create: { width: 1600, height: 1000, channels: 3, background: { r: 200, g: 90, b: 40 } },
    })
      .jpeg()
      .toBuffer();
    const edit = await browser.request(`/staff/offers/${offer.id}/edit`);
    assert.equal(edit.status, 200);
    const form = new FormData();
    form.set("_csrf", csrfFrom(edit.text));
    form.set("alt", "Coucher de soleil");
    form.set("image", new Blob([new Uint8Array(photo)], { type: "image/jpeg" }), "soleil.jpg");
    const sent = await browser.request(`/staff/offers/${offer.id}/images`, {
      method: "POST",
      body: form,
    });
    assert.equal(sent.status, 303, sent.text.slice(0, 300));
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const { rows } = await db
      .query<{ id: string }>("select id from offer_images where offer_id = $1", [offer.id])
      .finally(() => db.end());
    assert.equal(rows.length, 1);
    const image = await browser.raw(`/offers/${offer.id}/images/${rows[0]!.id}`);
    assert.equal(image.status, 200);
    assert.equal(image.headers.get("content-type"), "image/webp");
    assert.equal((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).width, 1280);
    await browser.close();
  });

  it("loses no request of a bounded loop across a graceful nginx reload", async () => {
    // Fresh connections must all be answered. On kept-alive ones, the old workers close idle
    // connections when they stop: a request sent at that instant finds the connection closed
    // before any answer, and is sent again once, as browsers do.
    const fresh = client(origin, ca, "127.0.0.5", false);
    const kept = client(origin, ca, "127.0.0.6");
    const statuses: number[] = [];
    const failures: string[] = [];
    let retried = 0;
    let sent = 0;
    const worker = (browser: typeof fresh, retry: boolean) => async () => {
      while (sent < 160) {
        sent++;
        if (sent === 60) nginx!.reload();
        for (let attempt = 0; ; attempt++) {
          try {
            statuses.push((await browser.request("/healthz")).status);
            break;
          } catch (error) {
            const cause = String((error as { cause?: unknown }).cause ?? error);
            if (retry && attempt === 0 && /other side closed|ECONNRESET/.test(cause)) {
              retried++;
              continue;
            }
            failures.push(cause);
            break;
          }
        }
      }
    };
    await Promise.all([
      worker(fresh, false)(),
      worker(fresh, false)(),
      worker(kept, true)(),
      worker(kept, true)(),
    ]);
    assert.deepEqual(failures, []);
    assert.equal(statuses.length, 160);
    assert.deepEqual(
      statuses.filter((s) => s !== 200),
      [],
    );
    assert.ok(retried <= 4, `${retried} kept-alive requests sent again`);
    assert.match(nginx!.errorLog(), /reconfiguring/, "nginx did reload");
    await fresh.close();
    await kept.close();
  });
});
