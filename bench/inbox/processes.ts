// The inbox benchmark's all-cores mode (`--processes N`): the instance under test runs as an
// operator runs it on this machine, `bin/maillage.ts start` as separate processes on PostgreSQL
// and Redis (PROCESS_ROLE=web, several behind one port with WEB_PROCESSES, and
// PROCESS_ROLE=worker), and the bare endpoint runs in as many processes (node:cluster). The CPU
// of each side is read from /proc for the whole process tree (a cluster's primary and its
// children), since these processes cannot report their own.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import { spawnMaillage, waitForHttp, type Spawned } from "../../test/support/processes.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

/** How the instance's N processes are shared out: web first (it answers the senders). */
export function split(processes: number, web?: number): { web: number; workers: number } {
  if (processes === 1) return { web: 1, workers: 0 };
  const w = Math.min(processes - 1, Math.max(1, web ?? Math.ceil(processes / 2)));
  return { web: w, workers: processes - w };
}

let ticks: number | undefined;
/** Clock ticks per second, the unit of /proc/<pid>/stat's CPU times. */
function clockTicks(): number {
  ticks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return ticks;
}

const read = (file: string) => {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined; // gone meanwhile
  }
};

/** Each process's parent. */
function parents(): Map<number, number> {
  const ppids = new Map<number, number>();
  for (const name of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const text = read(`/proc/${name}/stat`);
    // The command name is in parentheses and may hold spaces: the fields start after the last ")".
    if (text) ppids.set(Number(name), Number(text.slice(text.lastIndexOf(")") + 2).split(" ")[1]));
  }
  return ppids;
}

/**
 * A process's CPU time so far, in ms: the time on a CPU of each of its threads, in nanoseconds
 * (schedstat), since /proc/<pid>/stat counts in clock ticks (10 ms), which rounds a database
 * backend's few milliseconds to nothing; stat's figure where schedstat is missing.
 */
export function cpuMsOf(pid: number): number {
  let ns = 0;
  let threads = 0;
  for (const tid of fs.existsSync(`/proc/${pid}/task`) ? fs.readdirSync(`/proc/${pid}/task`) : []) {
    const text = read(`/proc/${pid}/task/${tid}/schedstat`);
    if (!text) continue;
    ns += Number(text.split(" ")[0]);
    threads++;
  }
  if (threads) return ns / 1e6;
  const text = read(`/proc/${pid}/stat`);
  if (!text) return 0;
  // After the command name: utime is the 12th field, stime the 13th.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / clockTicks();
}

/** The processes of these trees: the roots and all their descendants, and their CPU time. */
export function tree(roots: readonly number[]): { pids: number[]; cpuMs: number } {
  const ppids = parents();
  const children = new Map<number, number[]>();
  for (const [pid, ppid] of ppids) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  const pids: number[] = [];
  const queue = roots.filter((pid) => ppids.has(pid));
  while (queue.length) {
    const pid = queue.shift()!;
    pids.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return { pids, cpuMs: pids.reduce((sum, pid) => sum + cpuMsOf(pid), 0) };
}

/** The application name of the benchmark's own connections, left out of the database's CPU. */
export const BENCH_APPLICATION = "maillage-bench";

/**
 * CPU time so far of the PostgreSQL backends (on this machine) serving `db`'s database, except
 * the benchmark's own, by pid: the database work each side causes, on the same cores.
 */
export async function databaseCpu(db: Db): Promise<Map<number, number>> {
  const { rows } = await sql<{ pid: number }>`
    select pid from pg_stat_activity
    where datname = current_database() and application_name <> ${BENCH_APPLICATION}`.execute(db);
  return new Map(rows.map(({ pid }) => [pid, cpuMsOf(pid)]));
}

/** The backends' CPU between two readings (a backend that ended meanwhile is not counted). */
export function databaseCpuBetween(before: Map<number, number>, after: Map<number, number>) {
  let ms = 0;
  for (const [pid, cpu] of after) ms += cpu - (before.get(pid) ?? 0);
  return ms;
}

/**
 * Waits until `cpuMs` (a CPU time reading) has grown by less than 5 % of a core for a second:
 * whatever was running (a boot, the jobs an activity set going) is done.
 */
export async function idle(cpuMs: () => number | Promise<number>, timeoutMs = 120_000) {
  const started = Date.now();
  let last = await cpuMs();
  let quietSince = 0;
  while (Date.now() - started < timeoutMs) {
    await new Promise((r) => setTimeout(r, 250));
    const now = await cpuMs();
    quietSince = now - last < 0.05 * 250 ? quietSince || Date.now() : 0;
    last = now;
    if (quietSince && Date.now() - quietSince >= 1000) return;
  }
  throw new Error(`still busy after ${timeoutMs / 1000} s`);
}

/**
 * Waits until the trees hold `count` processes and are idle: every process has booted (loaded
 * its code, connected, listened), which their logs would say, but the bench keeps them silent
 * as in the one-process mode.
 */
async function settle(roots: readonly number[], count: number) {
  const started = Date.now();
  while (tree(roots).pids.length < count) {
    if (Date.now() - started > 120_000) throw new Error("the processes did not all start");
    await new Promise((r) => setTimeout(r, 250));
  }
  await idle(() => tree(roots).cpuMs);
}

export interface Processes {
  /** The roots of the process trees (CPU is counted over them and their descendants). */
  roots: number[];
  /** What is running, for the report. */
  description: string;
  stop(): Promise<void>;
}

const stopped = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });

/**
 * The instance as processes on its database, Redis namespace, port and data folder (`env`, as the
 * in-process setup used them). `cpuProfDir`: each process writes a V8 CPU profile there on exit.
 */
export async function startInstanceProcesses(
  env: Record<string, string>,
  processes: number,
  options: { web?: number; cpuProfDir?: string } = {},
): Promise<Processes> {
  const { web, workers } = split(processes, options.web);
  const common = {
    ...env,
    LOG_LEVEL: "warn",
    ...(options.cpuProfDir
      ? // Sampled every 5 ms, not every 1 ms: V8's sampling alone kept two idle processes above
        // the 5 % of a core `idle` waits for, and the benchmark stopped "still busy".
        {
          NODE_OPTIONS: `--cpu-prof --cpu-prof-interval=5000 --cpu-prof-dir=${path.resolve(options.cpuProfDir)}`,
        }
      : {}),
  };
  const spawned: Spawned[] = [];
  const fail = (what: string, s: Spawned) => {
    void s.exited.then(({ code, signal }) => {
      if (!stopping) process.stderr.write(`${what} stopped (${code ?? signal}):\n${s.output()}\n`);
    });
  };
  let stopping = false;
  const webEnv =
    workers === 0
      ? { ...common, PROCESS_ROLE: "all" }
      : { ...common, PROCESS_ROLE: "web", ...(web > 1 ? { WEB_PROCESSES: String(web) } : {}) };
  const webProcess = spawnMaillage("start", webEnv);
  spawned.push(webProcess);
  fail("the web process", webProcess);
  for (let i = 0; i < workers; i++) {
    const worker = spawnMaillage("start", { ...common, PROCESS_ROLE: "worker" });
    spawned.push(worker);
    fail("a worker process", worker);
  }
  const roots = spawned.map((s) => s.child.pid!);
  try {
    await waitForHttp(`${env.PUBLIC_URL}/healthz`);
    // A cluster is its primary and `web` children.
    await settle(roots, (web > 1 ? web + 1 : 1) + workers);
  } catch (error) {
    stopping = true;
    await Promise.all(spawned.map((s) => stopped(s.child)));
    throw error;
  }
  return {
    roots,
    description:
      workers === 0
        ? "1 process, PROCESS_ROLE=all"
        : `${web} web process${web > 1 ? "es (WEB_PROCESSES, node:cluster)" : ""} + ` +
          `${workers} PROCESS_ROLE=worker process${workers > 1 ? "es" : ""}`,
    async stop() {
      stopping = true;
      await Promise.all(spawned.map((s) => stopped(s.child)));
    },
  };
}

/** The bare endpoint in `processes` processes (a node:cluster beyond one) on this database. */
export async function startBareProcesses(
  databaseUrl: string,
  processes: number,
): Promise<Processes & { url: string }> {
  const child = spawn(
    process.execPath,
    [path.join(here, "bare-server.ts"), databaseUrl, String(processes)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let url: string;
  try {
    url = await new Promise<string>((resolve, reject) => {
      let buffer = "";
      child.stdout!.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        if (buffer.includes("\n"))
          resolve((JSON.parse(buffer.split("\n")[0]!) as { url: string }).url);
      });
      child.once("exit", (code) => reject(new Error(`bare-server.ts exited with ${code}`)));
    });
    await settle([child.pid!], processes > 1 ? processes + 1 : 1);
  } catch (error) {
    await stopped(child);
    throw error;
  }
  return {
    url,
    roots: [child.pid!],
    description: processes > 1 ? `${processes} processes (node:cluster)` : "1 process",
    stop: () => stopped(child),
  };
}
