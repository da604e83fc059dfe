// `npm run bench:start`: the embedded instance's start and memory (goal: 5 s or less to the first
// answer after the first start, 600 MB or less resident). `npm start`'s own command, as a child
// process, with a fresh DATA_DIR (PGlite, database queue, no DATABASE_URL nor REDIS_URL):
// - the first start (initdb and every migration), then `--starts` more on the same folder;
// - time to first answer: from the spawn to the first 200 of /healthz, polled every 20 ms;
// - CPU time of the child at that moment (/proc/<pid>/stat): steadier than the wall clock on a
//   shared machine;
// - RSS: VmRSS and VmHWM of the child (/proc/<pid>/status) after a few pages (home, catalogue,
//   sign-in) were asked twice each;
// - it then stops the child with SIGTERM and waits for its exit.
// Timings depend on the machine's load: compare figures of one run, or before/after runs made in
// the same conditions (the load is printed).
//   npm run bench:start [-- --starts 3 --cpu-prof <dir> --root <another checkout>]
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
const PAGES = ["/", "/offers", "/login"];

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
}

async function startOnce(dataDir: string, label: string): Promise<Start> {
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
  const child = spawn(
    process.execPath,
    [...flags, "--import", "./bin/node-version.mjs", "bin/maillage.ts", "start"],
    {
      cwd: root,
      env: {
        NODE_ENV: "production",
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: "127.0.0.1",
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOG_LEVEL: "warn",
      },
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
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
    for (let round = 0; round < 2; round++) {
      for (const page of PAGES) {
        const res = await fetch(`${base}${page}`);
        await res.arrayBuffer();
        if (res.status >= 500) throw new Error(`${page}: ${res.status}`);
      }
    }
    const { rss, peak } = memory(child.pid!);
    return { firstAnswerMs, cpuMs: cpu, firstPageMs, rssMb: rss, peakMb: peak };
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
  console.log(
    `${root}\nstart      /healthz (ms)  CPU then (ms)  home page (ms)  RSS (MB)  peak RSS (MB)`,
  );
  const first = await startOnce(dataDir, "first");
  const line = (label: string, s: Start) =>
    console.log(
      `${label.padEnd(9)}  ${fmt(s.firstAnswerMs)}         ${fmt(s.cpuMs)}         ${fmt(s.firstPageMs)}      ${fmt(s.rssMb)}     ${fmt(s.peakMb)}`,
    );
  line("first", first);
  const again: Start[] = [];
  for (let i = 1; i <= STARTS; i++) {
    const s = await startOnce(dataDir, `again-${i}`);
    again.push(s);
    line(`again ${i}`, s);
  }
  const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
  const maxRss = Math.max(first.peakMb, ...again.map((s) => s.peakMb));
  console.log(
    `after the first start, median: first answer ${median(again.map((s) => s.firstAnswerMs)).toFixed(0)} ms ` +
      `(CPU ${median(again.map((s) => s.cpuMs)).toFixed(0)} ms), ` +
      `home page ${median(again.map((s) => s.firstPageMs)).toFixed(0)} ms (goal ≤ 5000), ` +
      `RSS ${median(again.map((s) => s.rssMb)).toFixed(0)} MB; ` +
      `highest peak RSS: ${maxRss.toFixed(0)} MB (goal ≤ 600)`,
  );
  console.log(
    `load: ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
} finally {
  fs.rmSync(dataDir, { recursive: true, force: true });
}
