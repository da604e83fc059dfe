// Fan-out benchmark: one Create delivered to 1,000 distinct follower inboxes spread over 20 local
// sink servers (in a child process: bench/fanout/sinks.ts), through the real job queue (the
// database queue, or BullMQ when REDIS_URL is set).
// The baseline, measured in the same run, is how many RSA-2048 and Ed25519 signatures per second
// this machine makes on one thread: every delivery carries one HTTP signature, RSA for servers
// that state nothing, Ed25519 for those whose actors state that they verify it (FEP-844e,
// ADR 0176). `--peers` chooses which: `rsa` (servers stating nothing), `ed25519` (servers stating
// Ed25519), or `both` (the default: one fan-out to each, on separate servers, RSA first).
//
//   npm run bench:fanout [-- --followers 1000 --sinks 20 --concurrency 4 --peers both]
import "../../federation/temporal.ts";
import { fork } from "node:child_process";
import os from "node:os";
import { parseArgs } from "node:util";
import { ActorKeys, generateKeyPair } from "../../federation/keys.ts";
import { publishToFollowers } from "../../federation/outbox.ts";
import { cmcasNote } from "../../test/support/cmcas-note.ts";
import { startTestInstance } from "../../test/support/instance.ts";

const { values: args } = parseArgs({
  options: {
    followers: { type: "string", default: "1000" },
    sinks: { type: "string", default: "20" },
    concurrency: { type: "string", default: "4" },
    "timeout-s": { type: "string", default: "300" },
    // Measure a first publication ever: the CMCAS's keys made, the JSON-LD contexts processed and
    // the delivery path compiled during the fan-out, as never happens again on a running instance.
    cold: { type: "boolean", default: false },
    peers: { type: "string", default: "both" },
  },
});
if (!["rsa", "ed25519", "both"].includes(args.peers)) {
  process.stderr.write("--peers is rsa, ed25519 or both\n");
  process.exit(2);
}
const PHASES = (args.peers === "both" ? ["rsa", "ed25519"] : [args.peers]) as ("rsa" | "ed25519")[];
const FOLLOWERS = Number(args.followers);
const SINKS = Number(args.sinks);
const TIMEOUT_MS = Number(args["timeout-s"]) * 1000;

async function signaturesPerSecond(algorithm: "RSA" | "Ed25519", ms = 1500): Promise<number> {
  const { privateKey } = await generateKeyPair(
    algorithm === "RSA" ? "RSASSA-PKCS1-v1_5" : "Ed25519",
  );
  const data = new TextEncoder().encode("(request-target): post /inbox\nhost: example\ndate: x");
  const params = algorithm === "RSA" ? "RSASSA-PKCS1-v1_5" : "Ed25519";
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < ms) {
    await crypto.subtle.sign(params, privateKey, data);
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

/** The sinks' process: their hosts, then counts on request. */
// One set of SINKS servers per phase: whether a server verifies Ed25519 is known per host.
const child = fork(new URL("./sinks.ts", import.meta.url), [String(SINKS * PHASES.length)]);
const allHosts = await new Promise<string[]>((resolve) =>
  child.once("message", (m: { hosts: string[] }) => resolve(m.hosts)),
);
const counts = () =>
  new Promise<{ received: number; lastAt: number; cpu: NodeJS.CpuUsage }>((resolve) => {
    child.once("message", resolve);
    child.send("count");
  });

const rsa = await signaturesPerSecond("RSA");
const ed = await signaturesPerSecond("Ed25519");

const instance = await startTestInstance({
  env: {
    FEDERATION_ALLOW_PRIVATE_ADDRESSES: "1",
    FEDERATION_ALLOWED_DOMAINS: allHosts.join(","),
    WORKER_CONCURRENCY: args.concurrency,
  },
});
let exitCode = 0;

/** Deliveries of the warm-up fan-out, per kind of server measured after it. */
const WARM_UP = 100;

/**
 * Followers of the CMCAS, each with its own inbox (no shared inbox: no collapsing), stored as
 * fetched from servers whose actors state (or not) that they verify Ed25519; their follows' ids
 * start with `prefix`, for `removeFollowers`.
 */
async function addFollowers(
  followers: { host: string; name: string; ed25519: boolean }[],
  prefix: string,
): Promise<number> {
  const { db } = instance.ctx;
  const actors = await db
    .insertInto("federation_remote_actors")
    .values(
      followers.map(({ host, name, ed25519 }) => ({
        uri: `http://${host}/users/${name}`,
        host,
        type: "Person",
        username: name,
        inbox: `http://${host}/users/${name}/inbox`,
        accepts_ed25519: ed25519,
      })),
    )
    .returning("id")
    .execute();
  await db
    .insertInto("federation_follows")
    .values(
      actors.map((a, i) => ({
        local_actor: "cmcas",
        remote_actor_id: a.id,
        direction: "incoming" as const,
        state: "accepted" as const,
        activity_id: `${prefix}${i}`,
      })),
    )
    .execute();
  return actors.length;
}

/** The next fan-out goes to its own followers only. */
async function removeFollowers(prefix: string): Promise<void> {
  await instance.ctx.db
    .deleteFrom("federation_follows")
    .where("activity_id", "like", `${prefix}%`)
    .execute();
}

/**
 * What a running instance has long done before a fan-out: its CMCAS's keys made and stored, and
 * fan-outs signed and sent (JSON-LD contexts processed, Fedify's signers ready, the delivery
 * path compiled by the JIT). One fan-out to WARM_UP inboxes on the first server of each phase
 * (so that each kind of signature is warm, whichever phase comes first); their follows are then
 * removed, and the sinks' count is taken after.
 */
async function warmUp(activity: ReturnType<typeof cmcasNote>): Promise<void> {
  await new ActorKeys(instance.ctx.db).stored("cmcas");
  const prefix = "http://bench/follows/warm-up/";
  const count = await addFollowers(
    PHASES.flatMap((phase, p) =>
      Array.from({ length: WARM_UP }, (_, i) => ({
        host: allHosts[p * SINKS]!,
        name: `warm-up-${i}`,
        ed25519: phase === "ed25519",
      })),
    ),
    prefix,
  );
  const { received } = await counts();
  await instance.ctx.transaction((tx) => publishToFollowers(tx, "cmcas", activity));
  const deadline = performance.now() + 60_000;
  while ((await counts()).received < received + count && performance.now() < deadline)
    await new Promise((r) => setTimeout(r, 20));
  await removeFollowers(prefix);
}

/** One fan-out to FOLLOWERS inboxes on `phaseHosts`, measured and printed; false if incomplete. */
async function fanOut(phase: "rsa" | "ed25519", phaseHosts: string[]): Promise<boolean> {
  const { db } = instance.ctx;
  const label = phase === "rsa" ? "servers stating nothing (RSA)" : "servers stating Ed25519";
  const followPrefix = `http://bench/follows/${phase}/`;
  await addFollowers(
    Array.from({ length: FOLLOWERS }, (_, i) => ({
      host: phaseHosts[i % SINKS]!,
      name: `${phase}-u${i}`,
      ed25519: phase === "ed25519",
    })),
    followPrefix,
  );

  const startedAt = performance.timeOrigin + performance.now();
  const { received: before, cpu: sinksBefore } = await counts();
  const cpuBefore = process.cpuUsage();
  const mainBefore = process.threadCpuUsage();
  const start = performance.now();
  const note = create(`Nouvelle sortie (${phase}) : raquettes à la Chartreuse`);
  await instance.ctx.transaction((tx) => publishToFollowers(tx, "cmcas", note));
  const deadline = start + TIMEOUT_MS;
  let { received, lastAt, cpu: sinksCpu } = await counts();
  while (received - before < FOLLOWERS && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    ({ received, lastAt, cpu: sinksCpu } = await counts());
  }
  received -= before;
  // CPU time per delivery: this process (its thread pool, where signatures are made, included)
  // and the sinks' process; the database and Redis are not counted.
  const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
  const ownCpu = cpuMs(process.cpuUsage(cpuBefore));
  // Of it, the main thread's (the rest: the thread pool's signatures, V8's compiler and GC threads).
  const mainCpu = cpuMs(process.threadCpuUsage(mainBefore));
  const sinkCpu = cpuMs(sinksCpu) - cpuMs(sinksBefore);
  const seconds = (lastAt - startedAt) / 1000;
  // Results are recorded in batches: wait (bounded) until the tracking shows every delivery.
  const countDelivered = async () =>
    Number(
      (
        await db
          .selectFrom("federation_deliveries")
          .select((eb) => eb.fn.countAll<number>().as("n"))
          .where("status", "=", "delivered")
          .where("activity_id", "=", note.id!.href)
          .executeTakeFirstOrThrow()
      ).n,
    );
  let delivered = await countDelivered();
  while (delivered < received && performance.now() < deadline + 10_000) {
    await new Promise((r) => setTimeout(r, 50));
    delivered = await countDelivered();
  }
  const tracked = (performance.now() - start) / 1000;
  const outbox = await db
    .selectFrom("federation_outbox")
    .select(["created_at", "dispatched_at"])
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  const queued = (outbox.dispatched_at!.getTime() - outbox.created_at.getTime()) / 1000;
  await removeFollowers(followPrefix);

  console.log(`fan-out   to ${label}`);
  console.log(`  inboxes reached:        ${received} / ${FOLLOWERS} (on ${SINKS} servers)`);
  console.log(`  all deliveries queued after: ${queued.toFixed(2)} s`);
  console.log(`  time to last delivery:  ${seconds.toFixed(2)} s`);
  console.log(`  deliveries/s:           ${(received / seconds).toFixed(1)}`);
  console.log(`  ratio deliveries/s ÷ RSA signatures/s: ${(received / seconds / rsa).toFixed(3)}`);
  console.log(
    `  cpu ms per delivery: ${(ownCpu / received).toFixed(3)} (this process; main thread ${(mainCpu / received).toFixed(3)}), ${(sinkCpu / received).toFixed(3)} (sinks)`,
  );
  console.log(
    `  tracking: deliveries marked delivered: ${delivered} (all recorded after ${tracked.toFixed(2)} s)`,
  );
  return received >= FOLLOWERS && delivered >= FOLLOWERS;
}

const create = (text: string) => cmcasNote(instance.ctx.config.publicUrl, text);
try {
  if (!args.cold) await warmUp(create("Sortie d'essai"));
  console.log(`machine: ${os.cpus().length} cores, node ${process.version}`);
  console.log(
    `queue: ${instance.ctx.queue.kind}, database: ${instance.ctx.dbKind}, worker concurrency: ${args.concurrency}`,
  );
  console.log(`baseline  RSA-2048 signatures/s:  ${rsa.toFixed(0)} (one thread)`);
  console.log(`baseline  Ed25519 signatures/s:   ${ed.toFixed(0)} (one thread)`);
  console.log(`fan-out   warmed up first:      ${args.cold ? "no (--cold)" : "yes"}`);
  for (const [i, phase] of PHASES.entries()) {
    const complete = await fanOut(phase, allHosts.slice(i * SINKS, (i + 1) * SINKS));
    if (!complete) {
      console.log(`incomplete: stopped after ${args["timeout-s"]} s`);
      exitCode = 1;
    }
  }
  console.log(
    `load      ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(", ")} (1, 5, 15 min)`,
  );
} finally {
  await instance.destroy();
  child.send("stop");
}
process.exit(exitCode);
