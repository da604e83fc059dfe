// `npm run bench:start`: the embedded instance's start and memory (goal: 5 s or less to the first
// answer after the first start, 600 MB or less resident). `npm start`'s own command (its Node
// flags read from package.json), as a child process, with a fresh DATA_DIR (PGlite, database
// queue, no DATABASE_URL nor REDIS_URL):
// - the first start (initdb and every migration), then the demonstration data (`seed:demo`,
//   --members and --offers), then `--starts` more on the same folder;
// - time to first answer: from the spawn to the first 200 of /healthz, polled every 20 ms;
// - CPU time of the child at that moment (/proc/<pid>/stat): steadier than the wall clock on a
//   shared machine;
// - a small realistic load: `--rounds` times the home page, the catalogue, an offer's page, a
//   search and the sign-in page, one after the other; its pages per second;
// - RSS: VmRSS of the child after the load and VmHWM, its peak since the spawn (the load
//   included);
// - it then stops the child with SIGTERM and waits for its exit.
// `--also-flags "<node flags>"` starts the instance a second time after each of those starts with
// these Node flags instead of package.json's (e.g. `--also-flags=""`, with `=` when the flags start with a dash): a comparison in one run.
// Timings depend on the machine's load: compare figures of one run, or before/after runs made in
// the same conditions (the load is printed).
//   npm run bench:start [-- --starts 3 --rounds 40 --also-flags="" --cpu-prof <dir> --root <checkout>]
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: {
    starts: { type: "string", default: "3" },
    rounds: { type: "string", default: "40" },
    members: { type: "string", default: "40" },
    offers: { type: "string", default: "60" },
    "also-flags": { type: "string" },
    // Writes a V8 CPU profile of each start in this folder (node --cpu-prof).
    "cpu-prof": { type: "string" },
    "timeout-s": { type: "string", default: "180" },
    // Another checkout of Maillage to start instead (a before/after comparison in one run).
    root: { type: "string" },
  },
});
const STARTS = Math.min(20, Math.max(1, Number(args.starts)));
const TIMEOUT_MS = Math.min(600, Number(args["timeout-s"])) * 1000;
const root = path.resolve(
  args.root ?? path.join(path.dirname(fileURLToPath(import.meta.url)), ".."),
);
/** The Node flags of package.json's `start` script (those before `bin/maillage.ts`). */
function startFlags(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  const words = pkg.scripts.start!.split(/\s+/);
  return words.slice(words.indexOf("node") + 1, words.indexOf("bin/maillage.ts"));
}
const FLAGS = startFlags();
const ROUNDS = Math.max(0, Number(args.rounds));
const ADMIN = { ADMIN_EMAIL: "bench@example.org", ADMIN_PASSWORD: "bench start 2026" };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function memory(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** CPU time the process used so far (user + system, all its threads), in ms: on a shared
 * machine it varies much less with the load than the wall-clock time does. */
function cpuMs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  // The fields after the command's name (in parentheses, which may hold spaces).
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of the line (11 and 12 here), in ticks of 10 ms.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

interface Start {
  firstAnswerMs: number;
  /** CPU time of the process at its first answer. */
  cpuMs: number;
  /** Until the home page's 200, asked right after the first answer. */
  firstPageMs: number;
  rssMb: number;
  peakMb: number;
  /** Pages per second of the load. */
  pagesPerS: number;
}

/** `--rounds` times the home page, the catalogue, an offer's page, a search, the sign-in page. */
async function pagesLoad(base: string): Promise<number> {
  const get = async (page: string) => {
    const res = await fetch(`${base}${page}`);
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${page}: ${res.status}`);
    return text;
  };
  const catalogue = await get("/offers");
  const offer = /href="(\/offers\/[0-9a-f-]{36})"/.exec(catalogue)?.[1];
  const pages = ["/", "/offers", ...(offer ? [offer] : []), "/offers?q=atelier", "/login"];
  const started = performance.now();
  for (let round = 0; round < ROUNDS; round++) for (const page of pages) await get(page);
  return (ROUNDS * pages.length) / ((performance.now() - started) / 1000);
}

/** The demonstration data (`npm run seed:demo`) in the data folder, between two starts. */
async function seed(dataDir: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [...FLAGS, "bin/seed-demo.ts", "--members", args.members!, "--offers", args.offers!],
    {
      cwd: root,
      env: { DATA_DIR: dataDir, LOG_LEVEL: "warn" },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`seed:demo failed (${code}): ${stderr}`);
}

async function startOnce(dataDir: string, label: string, nodeFlags = FLAGS): Promise<Start> {
  const port = await freePort();
  // package.json's "start", with the profiler's flags when asked.
  const flags = args["cpu-prof"]
    ? [
        "--cpu-prof",
        `--cpu-prof-dir=${path.resolve(args["cpu-prof"])}`,
        `--cpu-prof-name=${label}.cpuprofile`,
      ]
    : [];
  const started = performance.now();
  const child = spawn(process.execPath, [...flags, ...nodeFlags, "bin/maillage.ts", "start"], {
    cwd: root,
    env: {
      NODE_ENV: "production",
      DATA_DIR: dataDir,
      PORT: String(port),
      HOST: "127.0.0.1",
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOG_LEVEL: "warn",
      ...ADMIN,
    },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()).slice(-4000));
  const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  try {
    const base = `http://127.0.0.1:${port}`;
    let firstAnswerMs = NaN;
    let cpu = NaN;
    while (performance.now() - started < TIMEOUT_MS) {
      if (exitCode !== undefined) throw new Error(`the instance exited (${exitCode}): ${stderr}`);
      const res = await fetch(`${base}/healthz`).catch(() => undefined);
      if (res?.status === 200) {
        firstAnswerMs = performance.now() - started;
        cpu = cpuMs(child.pid!);
        await res.arrayBuffer();
        break;
      }
      await res?.arrayBuffer();
      await new Promise((r) => setTimeout(r, 20));
    }
    if (Number.isNaN(firstAnswerMs)) throw new Error(`no answer within ${TIMEOUT_MS} ms`);
    const home = await fetch(`${base}/`);
    await home.arrayBuffer();
    if (home.status !== 200) throw new Error(`/: ${home.status}`);
    const firstPageMs = performance.now() - started;
    const load = await pagesLoad(base);
    const { rss, peak } = memory(child.pid!);
    return { firstAnswerMs, cpuMs: cpu, firstPageMs, rssMb: rss, peakMb: peak, pagesPerS: load };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-bench-start-"));
const fmt = (n: number) => n.toFixed(0).padStart(6);
try {
  console.log(
    `load: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} (${os.cpus().length} cores)`,
  );
  console.log(`${root}\nnode flags of npm start: ${FLAGS.join(" ")}`);
  console.log(
    `start      /healthz (ms)  CPU then (ms)  home page (ms)  RSS (MB)  peak RSS (MB)  pages/s`,
  );
  const line = (label: string, s: Start) =>
    console.log(
      `${label.padEnd(9)}  ${fmt(s.firstAnswerMs)}         ${fmt(s.cpuMs)}         ${fmt(s.firstPageMs)}      ${fmt(s.rssMb)}     ${fmt(s.peakMb)}     ${fmt(s.pagesPerS)}`,
    );
  const first = await startOnce(dataDir, "first");
  line("first", first);
  await seed(dataDir);
  const also = args["also-flags"]?.split(/\s+/).filter(Boolean);
  const again: Start[] = [];
  const other: Start[] = [];
  for (let i = 1; i <= STARTS; i++) {
    const s = await startOnce(dataDir, `again-${i}`);
    again.push(s);
    line(`again ${i}`, s);
    if (also) {
      const o = await startOnce(dataDir, `also-${i}`, also);
      other.push(o);
      line(`  also ${i}`, o);
    }
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const summary = (label: string, starts: Start[]) =>
    console.log(
      `${label}: after the first start, median: first answer ${median(starts.map((s) => s.firstAnswerMs)).toFixed(0)} ms ` +
        `(CPU ${median(starts.map((s) => s.cpuMs)).toFixed(0)} ms), ` +
        `home page ${median(starts.map((s) => s.firstPageMs)).toFixed(0)} ms (goal ≤ 5000), ` +
        `RSS ${median(starts.map((s) => s.rssMb)).toFixed(0)} MB, ` +
        `peak RSS ${median(starts.map((s) => s.peakMb)).toFixed(0)} MB, highest ${Math.max(...starts.map((s) => s.peakMb)).toFixed(0)} MB (goal ≤ 600), ` +
        `${median(starts.map((s) => s.pagesPerS)).toFixed(1)} pages/s`,
    );
  console.log(`first start (initdb, every migration): peak RSS ${first.peakMb.toFixed(0)} MB`);
  summary(`npm start (${FLAGS.join(" ")})`, again);
  if (also) summary(`node flags "${also.join(" ")}"`, other);
  console.log(
    `load: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
