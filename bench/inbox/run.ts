// `npm run bench:inbox`: signed activities posted to the instance's inbox at a bounded rate from
// several keys, against a bare endpoint in the same run (bench/inbox/bare.ts: verifies the same
// signatures and stores the raw JSON). Loopback only; bounded in count and in time.
// - `peers` fake servers on 127.0.0.1 (test/support/fake-peer.ts), one key each, serve their
//   CMCAS actor (followed by the instance) and a member (writing in one of the instance's groups);
// - half the activities are Create(Event) from a followed CMCAS (an offer in the catalogue), half
//   Create(Note) to the instance's public group (a topic, announced by the group);
// - every request is signed before its phase starts (signing is the senders' cost, not the
//   inbox's), then sent at most `rate` per second, `concurrency` at a time;
// - accepted/s: 202 answers per second of the phase; processed/s: activities whose offer or topic
//   exists, per second from the first send to the last seen (polled every 100 ms, during the
//   sending and after); lag: from an activity's 202 to its row being seen.
// By default the instance and the bare endpoint run in this process (PROCESS_ROLE=all). With
// `--processes N` (PostgreSQL + Redis), both run as N separate processes (processes.ts): the
// instance as `bin/maillage.ts start` with PROCESS_ROLE=web (WEB_PROCESSES beyond one) and
// PROCESS_ROLE=worker (`--web W` of them web), the bare endpoint in a node:cluster of N; their
// CPU is counted over their process trees and database backends (ADR 0167). `--cpu-prof DIR`:
// the instance's processes write V8 CPU profiles there.
//   npm run bench:inbox [-- --activities 400 --peers 4 --rate 400 --concurrency 16 --timeout-s 120
//                          --processes 2 --web 1 --cpu-prof /tmp/prof]
import "../../federation/temporal.ts";
import os from "node:os";
import { parseArgs } from "node:util";
import { saveRemoteActor } from "../../federation/actors/remote.ts";
import { saveFollow } from "../../federation/follows/follows.repo.ts";
import { openDatabase, type DatabaseHandle } from "../../server/db/database.ts";
import { openGroup } from "../../test/support/groups.ts";
import { DATABASE_URL, REDIS_URL } from "../../test/support/env.ts";
import { FakePeer } from "../../test/support/fake-peer.ts";
import { startTestInstance } from "../../test/support/instance.ts";
import { activities as buildActivities, type Outgoing } from "./activities.ts";
import { createBareTable, startBareInbox } from "./bare.ts";
import {
  BENCH_APPLICATION,
  databaseCpu,
  databaseCpuBetween,
  idle,
  startBareProcesses,
  startInstanceProcesses,
  tree,
  type Processes,
} from "./processes.ts";

const { values: args } = parseArgs({
  options: {
    activities: { type: "string", default: "400" },
    peers: { type: "string", default: "4" },
    rate: { type: "string", default: "400" },
    concurrency: { type: "string", default: "16" },
    "timeout-s": { type: "string", default: "120" },
    processes: { type: "string" },
    web: { type: "string" },
    "cpu-prof": { type: "string" },
  },
});
const ACTIVITIES = Math.min(5000, Math.max(2, Number(args.activities)));
const PEERS = Math.min(50, Math.max(1, Number(args.peers)));
const RATE = Math.max(1, Number(args.rate));
const CONCURRENCY = Math.max(1, Number(args.concurrency));
const TIMEOUT_MS = Math.min(600, Number(args["timeout-s"])) * 1000;
const PROCESSES =
  args.processes === undefined ? undefined : Math.min(64, Math.max(1, Number(args.processes)));
if (PROCESSES !== undefined && (!DATABASE_URL || !REDIS_URL)) {
  process.stderr.write(
    "--processes needs PostgreSQL and Redis (DATABASE_URL and REDIS_URL): in embedded mode the " +
      "PGlite database and the job queue belong to one process.\n",
  );
  process.exit(2);
}
if (PROCESSES !== undefined && process.platform !== "linux") {
  process.stderr.write("--processes reads the processes' CPU time from /proc: Linux only.\n");
  process.exit(2);
}
if (args["cpu-prof"] !== undefined && PROCESSES === undefined) {
  process.stderr.write("--cpu-prof profiles the instance's processes: use it with --processes.\n");
  process.exit(2);
}

interface Phase {
  accepted: number;
  refused: Record<string, number>;
  seconds: number;
  /** When each activity's 202 came, by its object's id. */
  answeredAt: Map<string, number>;
  start: number;
}

/** Sends every request at most `RATE` per second, `CONCURRENCY` at a time; bounded in time. */
async function send(requests: { objectId: string; request: Request }[]): Promise<Phase> {
  const phase: Phase = {
    accepted: 0,
    refused: {},
    seconds: 0,
    answeredAt: new Map(),
    start: performance.now(),
  };
  let next = 0;
  let last = phase.start;
  const deadline = phase.start + TIMEOUT_MS;
  const worker = async () => {
    while (next < requests.length && performance.now() < deadline) {
      const i = next++;
      const due = phase.start + (i * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const { objectId, request } = requests[i]!;
      const res = await fetch(request).catch(() => undefined);
      await res?.arrayBuffer();
      last = performance.now();
      if (res?.status === 202) {
        phase.accepted++;
        phase.answeredAt.set(objectId, last);
      } else {
        const key = String(res?.status ?? "network error");
        phase.refused[key] = (phase.refused[key] ?? 0) + 1;
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  phase.seconds = (last - phase.start) / 1000;
  return phase;
}

/**
 * Polls while the phase is sent and after, until every accepted activity's row is there (or the
 * time is up): when each of the phase's objects was first seen. Polling runs during the sending,
 * so that the lag of an activity handled meanwhile is its own.
 */
async function processed(
  ids: ReadonlySet<string>,
  sending: Promise<Phase>,
  seen: () => Promise<string[]>,
): Promise<{ at: Map<string, number>; seconds: number }> {
  const at = new Map<string, number>();
  const start = performance.now();
  let phase: Phase | undefined;
  void sending.then((p) => (phase = p));
  let lastAt = start;
  const deadline = start + 2 * TIMEOUT_MS;
  while (performance.now() < deadline) {
    const now = performance.now();
    for (const id of await seen())
      if (ids.has(id) && !at.has(id)) {
        at.set(id, now);
        lastAt = now;
      }
    if (phase && at.size >= phase.accepted) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { at, seconds: (lastAt - start) / 1000 };
}

/** CPU time of this process (senders, instance, poller) since `since`, in ms: a measure that a
 * busy machine slows less than the rates. */
const cpuMs = (since: NodeJS.CpuUsage) => {
  const { user, system } = process.cpuUsage(since);
  return (user + system) / 1000;
};

const percentile = (values: number[], p: number) =>
  values.length ? [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) * p)]! : NaN;

const peers = await Promise.all(Array.from({ length: PEERS }, () => FakePeer.start()));
const instance = await startTestInstance({
  env: {
    FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1",
    FEDERATION_ALLOWED_DOMAINS: peers.map((p) => p.host).join(","),
  },
});
let exitCode = 0;
let pollHandle: DatabaseHandle | undefined;
let instanceProcesses: Processes | undefined;
let bareRunning: { stop(): Promise<void> } | undefined;
try {
  let { db } = instance.ctx;
  const group = (await openGroup(instance)).uri;

  // Each peer: its CMCAS (followed by ours) and a member who writes in our group.
  const senders = await Promise.all(
    peers.map(async (peer, n) => {
      const cmcas = await peer.actor("/users/cmcas", {
        type: "Organization",
        preferredUsername: "cmcas",
        name: `CMCAS ${n + 1}`,
      });
      const member = await peer.actor("/users/lea", { type: "Person", preferredUsername: "lea" });
      const saved = await saveRemoteActor(db, {
        uri: cmcas,
        host: peer.host,
        type: "Organization",
        username: "cmcas",
        name: `CMCAS ${n + 1}`,
        summary: "",
        url: null,
        iconUrl: null,
        inbox: `${cmcas}/inbox`,
        sharedInbox: null,
        outbox: null,
        followersUrl: null,
      });
      await saveFollow(db, {
        localActor: "cmcas",
        localUserId: null,
        remoteActorId: saved.id,
        direction: "outgoing",
        state: "accepted",
        activityId: `${instance.url}/activities/${crypto.randomUUID()}`,
      });
      return { peer, cmcas, member };
    }),
  );

  // All cores: the setup above is in the database; the instance now runs as processes on it, and
  // this process reads the database through a pool of its own.
  if (PROCESSES !== undefined) {
    await instance.stop();
    // Named, so that its backend is not counted with the database's work for either side.
    const url = new URL(instance.databaseUrl!);
    url.searchParams.set("application_name", BENCH_APPLICATION);
    pollHandle = await openDatabase(
      { databaseUrl: url.href, dataDir: instance.dataDir },
      { poolSize: 2 },
    );
    db = pollHandle.db;
  }
  const activities = () => buildActivities(ACTIVITIES, senders, group);
  /** Signed before the phase: signing is the senders' cost, not the inbox's. */
  const signAll = (list: Outgoing[], inbox: string) =>
    Promise.all(
      list.map(async (a) => ({
        objectId: a.objectId,
        request: await a.peer.sign(inbox, a.body, a.actor),
      })),
    );
  const actorFetches = () =>
    peers.reduce((n, p) => n + p.received.filter((r) => r.method === "GET").length, 0);

  // Baseline: the bare endpoint, on the same database, same senders; in this process, or in as
  // many processes as the instance.
  await createBareTable(db);
  const inProcess = PROCESSES === undefined ? await startBareInbox(db) : undefined;
  const bare = inProcess
    ? { url: inProcess.url, roots: [], description: "this process", stop: () => inProcess.close() }
    : await startBareProcesses(instance.databaseUrl!, PROCESSES!);
  bareRunning = bare;
  const bareRequests = await signAll(activities(), bare.url);
  const bareFetchesBefore = actorFetches();
  const bareCpu = process.cpuUsage();
  const bareTreeBefore = tree(bare.roots).cpuMs;
  const bareDbBefore = pollHandle ? await databaseCpu(db) : undefined;
  const bareRun = await send(bareRequests);
  const bareOwnCpuMs = cpuMs(bareCpu);
  const bareCpuMs = tree(bare.roots).cpuMs - bareTreeBefore;
  const bareDbMs = bareDbBefore ? databaseCpuBetween(bareDbBefore, await databaseCpu(db)) : 0;
  const bareFetches = actorFetches() - bareFetchesBefore;
  await bare.stop();
  bareRunning = undefined;

  if (PROCESSES !== undefined)
    instanceProcesses = await startInstanceProcesses(instance.env, PROCESSES, {
      ...(args.web !== undefined ? { web: Number(args.web) } : {}),
      ...(args["cpu-prof"] !== undefined ? { cpuProfDir: args["cpu-prof"] } : {}),
    });
  const instanceRoots = instanceProcesses?.roots ?? [];

  // The instance: its inbox, its queue, its handlers (offers and forums).
  const list = activities();
  const kinds = new Map(list.map((a) => [a.objectId, a.kind]));
  const requests = await signAll(list, `${instance.url}/inbox`);
  const fetchesBefore = actorFetches();
  const cpu = process.cpuUsage();
  const treeBefore = tree(instanceRoots).cpuMs;
  const dbBefore = pollHandle ? await databaseCpu(db) : undefined;
  const sending = send(requests);
  const polling = processed(new Set(kinds.keys()), sending, async () => [
    ...(
      await db
        .selectFrom("offers")
        .select("remote_uri as id")
        .where("remote_uri", "is not", null)
        .execute()
    ).map((r) => r.id!),
    ...(
      await db
        .selectFrom("forum_posts")
        .select("ap_id as id")
        .where("ap_id", "is not", null)
        .execute()
    ).map((r) => r.id!),
  ]);
  const run = await sending;
  const done = await polling;
  const ownCpuMs = cpuMs(cpu);
  const treeCpuMs = tree(instanceRoots).cpuMs - treeBefore;
  const dbMs = dbBefore ? databaseCpuBetween(dbBefore, await databaseCpu(db)) : 0;
  const fetches = actorFetches() - fetchesBefore;
  // What the stored activities set going besides (the group's announces, notifications): the
  // CPU once the instance is idle again.
  const instanceCpu = async () =>
    instanceProcesses
      ? tree(instanceRoots).cpuMs -
        treeBefore +
        databaseCpuBetween(dbBefore!, await databaseCpu(db))
      : cpuMs(cpu);
  await idle(instanceCpu);
  const allCpuMs = await instanceCpu();
  // Seen before its 202 came back (handled while the answer travelled): no lag.
  const lags = [...done.at]
    .filter(([id]) => run.answeredAt.has(id))
    .map(([id, at]) => Math.max(0, at - run.answeredAt.get(id)!));
  const byKind = (kind: string) => [...done.at.keys()].filter((id) => kinds.get(id) === kind);

  const rate = (n: number, s: number) => (s > 0 ? n / s : 0);
  const bareRate = rate(bareRun.accepted, bareRun.seconds);
  const acceptedRate = rate(run.accepted, run.seconds);
  const processedRate = rate(done.at.size, done.seconds);
  const f = (n: number, digits = 1) => n.toFixed(digits);
  const refused = (r: Record<string, number>) =>
    Object.keys(r).length ? `; refused: ${JSON.stringify(r)}` : "";
  console.log(`machine: ${os.cpus().length} cores, node ${process.version}`);
  console.log(`database: ${instance.ctx.dbKind}, queue: ${instance.ctx.queue.kind}`);
  console.log(
    instanceProcesses
      ? `processes instance: ${instanceProcesses.description}; bare: ${bare.description}`
      : "processes instance and bare endpoint in this process (PROCESS_ROLE=all)",
  );
  console.log(
    `sent: ${ACTIVITIES} activities per phase from ${PEERS} peers (${PEERS * 2} key ids), ` +
      `at most ${RATE}/s, ${CONCURRENCY} at a time`,
  );
  console.log(
    `baseline  bare endpoint (verify, store raw JSON): ${bareRun.accepted} stored in ` +
      `${f(bareRun.seconds, 2)} s: ${f(bareRate)}/s; documents fetched from the peers: ` +
      `${bareFetches}${refused(bareRun.refused)}`,
  );
  console.log(
    `instance  accepted: ${run.accepted} in ${f(run.seconds, 2)} s: ${f(acceptedRate)}/s; ` +
      `documents fetched from the peers: ${fetches}${refused(run.refused)}`,
  );
  console.log(
    `instance  processed: ${done.at.size} (${byKind("event").length} offers, ` +
      `${byKind("note").length} topics), the last ${f(done.seconds, 2)} s after the first ` +
      `send: ${f(processedRate)}/s`,
  );
  console.log(
    `instance  lag from 202 to stored: p50 ${f(percentile(lags, 0.5), 0)} ms, ` +
      `p95 ${f(percentile(lags, 0.95), 0)} ms, max ${f(percentile(lags, 1), 0)} ms`,
  );
  const perActivity = (ms: number) => `${f(ms / ACTIVITIES, 2)} ms`;
  if (instanceProcesses) {
    console.log(
      `cpu       per activity, their processes: bare ${perActivity(bareCpuMs)}, instance ` +
        `${perActivity(treeCpuMs)} (until the last one is stored); this process (senders, ` +
        `poller): ${perActivity(bareOwnCpuMs)}, ${perActivity(ownCpuMs)}`,
    );
    console.log(
      `cpu       per activity, the PostgreSQL backends serving them: bare ` +
        `${perActivity(bareDbMs)}, instance ${perActivity(dbMs)}; with their processes: ` +
        `${perActivity(bareCpuMs + bareDbMs)}, ${perActivity(treeCpuMs + dbMs)}`,
    );
    console.log(
      `cpu       per activity, the instance's processes and database until idle again (the ` +
        `jobs the activities set going too): ${perActivity(allCpuMs)}`,
    );
  } else
    console.log(
      `cpu       this process per activity: bare ${perActivity(bareOwnCpuMs)}, ` +
        `instance ${perActivity(ownCpuMs)} (until the last one is stored), ` +
        `${perActivity(allCpuMs)} (until idle again: the jobs the activities set going too)`,
    );
  console.log(`ratio     accepted/s ÷ bare: ${f(rate(acceptedRate, bareRate), 3)}`);
  console.log(`ratio     processed/s ÷ bare: ${f(rate(processedRate, bareRate), 3)}`);
  // What each side spends on one activity, whatever the rate: the processing rate's ceiling when
  // both are bound by the machine's CPU (the rates above are not, when the bare endpoint keeps up
  // with the senders).
  if (instanceProcesses)
    console.log(
      `ratio     CPU per activity, bare ÷ instance (processes and database, until stored): ` +
        `${f(rate(bareCpuMs + bareDbMs, treeCpuMs + dbMs), 3)}`,
    );
  if (bareRate >= 0.97 * RATE)
    console.log(
      `note      the bare endpoint kept up with the senders' cap (${f(bareRate)}/s of at most ` +
        `${RATE}/s): the rate ratios are against that cap, not against all it could take`,
    );
  console.log(
    `load      ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")} (1, 5, 15 min)`,
  );
  if (run.accepted < ACTIVITIES || done.at.size < run.accepted || bareRun.accepted < ACTIVITIES) {
    console.log("incomplete: some activities were refused or not processed in time");
    exitCode = 1;
  }
} finally {
  await bareRunning?.stop();
  await instanceProcesses?.stop();
  await pollHandle?.close();
  await instance.destroy();
  for (const peer of peers) await peer.close();
}
process.exit(exitCode);
