// Failure run: a web process and a worker process on PostgreSQL and BullMQ, and three booking
// bursts, each with a fault in the middle: PostgreSQL connections cut, Redis stopped and
// restarted, the worker killed (SIGKILL) and restarted. Every member books each offer once and
// retries what failed, as a person would. Afterwards: every member holds exactly one booking per
// offer (nothing lost, nothing doubled), was answered "booked" when it was committed, and got
// exactly one confirmation mail per booking.
//
// Only 127.0.0.1: a fresh database on the PostgreSQL server of DATABASE_URL (default the local
// one; its connections to that database only are cut) and a private redis-server on a free port.
//   npm run bench:failure -- --members 120 --concurrency 12 --pace-ms 200
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import pg from "pg";
import { jobSpecs } from "../../app/assemble.ts";
import { federate } from "../../app/instance.ts";
import { MODULES } from "../../app/modules.ts";
import { createAccount, issueApiToken } from "../../server/accounts/accounts.service.ts";
import { loadConfig } from "../../server/config.ts";
import { createContext } from "../../server/context.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { findCategory } from "../../server/offers/offers.repo.ts";
import { createOffer } from "../../server/offers/offers.service.ts";
import { freePort } from "../../test/support/instance.ts";
import { readMails } from "../../test/support/mail.ts";
import { startPrivateRedis } from "../../test/support/private-servers.ts";
import { spawnMaillage, waitForHttp, type Spawned } from "../../test/support/processes.ts";

const { values: args } = parseArgs({
  options: {
    members: { type: "string", default: "120" },
    concurrency: { type: "string", default: "12" },
    // Each client's pause between two members: keeps the burst going through the fault.
    "pace-ms": { type: "string", default: "200" },
    "database-url": { type: "string", default: "postgres://postgres@127.0.0.1:5432/postgres" },
  },
});
const MEMBERS = Number(args.members);
const CONCURRENCY = Number(args.concurrency);
const PACE_MS = Number(args["pace-ms"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (line: string) =>
  process.stdout.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`);

const adminUrl = new URL(args["database-url"]);
const dbName = `maillage_fail_${crypto.randomBytes(4).toString("hex")}`;
const databaseUrl = new URL(adminUrl);
databaseUrl.pathname = `/${dbName}`;

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl.href });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const redis = await startPrivateRedis();
if (!redis) throw new Error("redis-server is not installed");
await admin((c) => c.query(`create database ${dbName}`));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-failure-"));
const port = await freePort();
const env: Record<string, string> = {
  PORT: String(port),
  HOST: "127.0.0.1",
  PUBLIC_URL: `http://127.0.0.1:${port}`,
  DATA_DIR: dataDir,
  DATABASE_URL: databaseUrl.href,
  REDIS_URL: redis.url,
  REDIS_PREFIX: "fail",
  LOG_LEVEL: "warn",
  WORKER_CONCURRENCY: "4",
};
const url = `http://127.0.0.1:${port}`;

// Seed through the services, as staff and an admin would.
log(`seeding ${MEMBERS} members and 3 offers in ${dbName}`);
const ctx = await createContext(loadConfig(env), { jobSpecs: jobSpecs(MODULES) });
const seeding = await federate(ctx); // offers are published through the federation's port
const staff = await ctx.transaction((tx) =>
  createAccount(tx, {
    email: "equipe@failure.test",
    username: "equipe",
    displayName: "Équipe",
    password: "un mot de passe solide",
    language: "fr",
    role: "admin",
  }),
);
if (!staff.ok) throw new Error(staff.error);
const category = (await findCategory(ctx.db, "loisirs"))!;
const phases = ["postgres-cut", "redis-restart", "worker-kill"] as const;
type Phase = (typeof phases)[number];
const offers = {} as Record<Phase, string>;
for (const phase of phases) {
  const start = new Date(Date.now() + 20 * 86_400_000);
  const created = await ctx.transaction((tx) =>
    createOffer(
      tx,
      bookingDeps(ctx),
      staff.value.id,
      {
        title: `Sortie ${phase}`,
        summary: "Banc d'essai",
        description: "Réservations sous panne.",
        categoryId: category.id,
        audiences: ["tous"],
        startsAt: start,
        endsAt: new Date(start.getTime() + 3600_000),
        timezone: "Europe/Paris",
        registrationOpensAt: null,
        registrationClosesAt: null,
        cancellationDeadline: null,
        locationKind: "place",
        address: "Salle",
        postalCode: "38000",
        city: "Grenoble",
        latitude: null,
        longitude: null,
        onlineUrl: null,
        capacity: MEMBERS * 2,
        maxPersonsPerRegistration: 2,
        minAge: null,
        maxAge: null,
        priceTiers: [],
        organiserSlvieId: null,
        visibility: "public",
      },
      true,
    ),
  );
  if (!created.ok) throw new Error(JSON.stringify(created.details));
  offers[phase] = created.value.id;
}
const members: { id: string; email: string; token: string }[] = [];
for (let i = 0; i < MEMBERS; i++) {
  const email = `membre${i}@failure.test`;
  const made = await ctx.transaction((tx) =>
    createAccount(tx, {
      email,
      username: `membre${i}`,
      displayName: `Membre ${i}`,
      password: "un mot de passe solide",
      language: "fr",
      role: "member",
    }),
  );
  if (!made.ok) throw new Error(made.error);
  const { token } = await issueApiToken(ctx.db, made.value.id, "banc");
  members.push({ id: made.value.id, email, token });
}
seeding.stop();
await ctx.close();

let killing = false;
/** A process that dies without being killed here is a failure of the run: say why. */
function watch(run: Spawned, name: string): Spawned {
  void run.exited.then((exit) => {
    if (killing) return;
    failed = true;
    log(`${name} died unasked (${JSON.stringify(exit)}):\n${run.output().slice(-3000)}`);
  });
  return run;
}
let failed = false;
const web = watch(spawnMaillage("start", { ...env, PROCESS_ROLE: "web" }), "web");
let worker = watch(spawnMaillage("start", { ...env, PROCESS_ROLE: "worker" }), "worker");

interface Outcome {
  status: number; // final: 201 booked, 409 "already registered"
  attempts: number;
  errors: Record<string, number>;
}

async function book(offerId: string, member: (typeof members)[number]): Promise<Outcome> {
  const errors: Record<string, number> = {};
  for (let attempt = 1; attempt <= 200; attempt++) {
    let status: number | string;
    try {
      const res = await fetch(`${url}/api/v1/offers/${offerId}/registrations`, {
        method: "POST",
        headers: { authorization: `Bearer ${member.token}`, "content-type": "application/json" },
        body: JSON.stringify({ persons: 1 }),
        signal: AbortSignal.timeout(20_000),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch (error) {
      status = (error as Error).name;
    }
    if (status === 201 || status === 409) return { status, attempts: attempt, errors };
    errors[String(status)] = (errors[String(status)] ?? 0) + 1;
    await sleep(250);
  }
  return { status: 0, attempts: 200, errors };
}

async function burst(offerId: string, fault: () => Promise<string>) {
  const queue = [...members];
  const outcomes = new Map<string, Outcome>();
  const runners = Array.from({ length: CONCURRENCY }, async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      outcomes.set(m.id, await book(offerId, m));
      await sleep(PACE_MS);
    }
  });
  // The fault strikes once a quarter of the members have their answer.
  while (outcomes.size < members.length / 4) await sleep(20);
  const note = await fault();
  await Promise.all(runners);
  return { outcomes, note };
}

async function terminate(): Promise<number> {
  return admin(async (c) => {
    const r = await c.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()",
      [dbName],
    );
    return r.rowCount ?? 0;
  });
}

const faults: Record<Phase, () => Promise<string>> = {
  async "postgres-cut"() {
    let cut = 0;
    for (let i = 0; i < 30; i++) {
      cut += await terminate();
      await sleep(100);
    }
    return `${cut} backends terminated in 30 rounds over ~3 s`;
  },
  async "redis-restart"() {
    await redis.stop();
    await sleep(3000);
    await redis.start();
    return "redis-server stopped for 3 s, then started again";
  },
  async "worker-kill"() {
    killing = true;
    worker.child.kill("SIGKILL");
    await worker.exited;
    killing = false;
    await sleep(2000);
    worker = watch(spawnMaillage("start", { ...env, PROCESS_ROLE: "worker" }), "worker");
    return "worker SIGKILLed, restarted 2 s later";
  },
};

async function count(sql: string, params: unknown[]) {
  const client = new pg.Client({ connectionString: databaseUrl.href });
  await client.connect();
  try {
    return (await client.query(sql, params)).rows as Record<string, unknown>[];
  } finally {
    await client.end();
  }
}

function mailsFor(offerId: string): Map<string, number> {
  const perMember = new Map<string, number>();
  for (const mail of readMails(dataDir)) {
    if (!mail.text.includes(`/offers/${offerId}`)) continue;
    const to = /<?([^<>\s]+@failure\.test)>?/.exec(mail.to)?.[1] ?? mail.to;
    perMember.set(to, (perMember.get(to) ?? 0) + 1);
  }
  return perMember;
}

const report: Record<string, unknown>[] = [];
try {
  await waitForHttp(`${url}/healthz`).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${web.output()}`);
  });
  for (const phase of phases) {
    const offerId = offers[phase];
    log(`${phase}: ${MEMBERS} members book, ${CONCURRENCY} at a time`);
    const started = Date.now();
    const { outcomes, note } = await burst(offerId, faults[phase]);
    log(`${phase}: burst done in ${Date.now() - started} ms (${note})`);
    // Let the jobs run: every booking's mail, within two minutes.
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline && mailsFor(offerId).size < MEMBERS) await sleep(500);
    await sleep(3000); // a doubled mail would come now
    const rows = await count(
      "select user_id, count(*)::int as n from offer_registrations where offer_id = $1 and status <> 'cancelled' group by user_id",
      [offerId],
    );
    const notices = await count(
      "select user_id, count(*)::int as n from notifications where link = $1 group by user_id",
      [`/offers/${offerId}`],
    );
    const mails = mailsFor(offerId);
    const finals = [...outcomes.values()];
    const errors: Record<string, number> = {};
    for (const o of finals)
      for (const [k, v] of Object.entries(o.errors)) errors[k] = (errors[k] ?? 0) + v;
    const result = {
      phase,
      fault: note,
      members: MEMBERS,
      answeredBooked: finals.filter((o) => o.status === 201).length,
      // A retry told "already registered": an earlier try was committed but answered as failed.
      answeredAlreadyAfterFailure: finals.filter((o) => o.status === 409).length,
      unanswered: finals.filter((o) => o.status === 0).length,
      failedTries: errors,
      bookings: rows.length,
      doubledBookings: rows.filter((r) => (r.n as number) > 1).length,
      notices: notices.length,
      membersMailed: mails.size,
      doubledMails: [...mails.values()].filter((n) => n > 1).length,
      missingMails: members.filter((m) => !mails.has(m.email)).length,
    };
    report.push(result);
    const ok =
      result.answeredBooked === MEMBERS &&
      result.bookings === MEMBERS &&
      result.doubledBookings === 0 &&
      result.notices === MEMBERS &&
      result.missingMails === 0 &&
      result.doubledMails === 0;
    if (!ok) failed = true;
    log(`${phase}: ${ok ? "HELD" : "FAILED"} ${JSON.stringify(result)}`);
  }
  const alive = { web: web.child.exitCode === null, worker: worker.child.exitCode === null };
  log(`processes alive at the end: ${JSON.stringify(alive)}`);
  if (!alive.web) {
    failed = true;
    log(web.output().slice(-2000));
  }
} finally {
  killing = true;
  web.child.kill("SIGTERM");
  worker.child.kill("SIGTERM");
  await Promise.all([web.exited, worker.exited]);
  await redis.destroy();
  await admin((c) => c.query(`drop database if exists ${dbName} with (force)`));
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
process.exit(failed ? 1 : 0);
