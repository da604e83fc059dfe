// `npm run bench:hub`: the hub's calendar over 100,000 offers aggregated from 100 territories, on
// PostgreSQL (DATABASE_URL; a fresh database, dropped afterwards), on 127.0.0.1 only:
// - the p95 of the hub's query path against bare SQL returning the same rows, in the same run
//   (measured in the server's process, interleaved);
// - the calendar page and the API at 64 connections against a bare Express app returning static
//   bodies of the same sizes (bench/catalogue/bare.ts).
//   node bench/hub/run.ts [--duration 10] [--connections 64] [--offers 100000] [--iterations 200]
import { spawn, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import autocannon from "autocannon";
import pg from "pg";
import { loadConfig } from "../../server/config.ts";

const { values } = parseArgs({
  options: {
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "64" },
    offers: { type: "string", default: "100000" },
    iterations: { type: "string", default: "200" },
  },
});
const duration = Math.min(60, Math.max(1, Number(values.duration)));
const connections = Number(values.connections);
const here = path.dirname(fileURLToPath(import.meta.url));

function child(script: string, args: string[]) {
  return new Promise<{ process: ChildProcess; info: Record<string, unknown> }>(
    (resolve, reject) => {
      const proc = spawn(process.execPath, [script, ...args], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let buffer = "";
      const timer = setTimeout(
        () => reject(new Error(`${script}: no answer in 20 min`)),
        1_200_000,
      );
      proc.stdout!.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        const line = buffer.split("\n")[0];
        if (buffer.includes("\n") && line) {
          clearTimeout(timer);
          resolve({ process: proc, info: JSON.parse(line) as Record<string, unknown> });
        }
      });
      proc.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
    },
  );
}

const stop = (proc: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (proc.exitCode !== null) return resolve();
    proc.once("exit", () => resolve());
    proc.kill("SIGTERM");
  });

async function load(url: string) {
  if (!/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) throw new Error(`refusing to load ${url}`);
  const result = await autocannon({ url, connections, duration, pipelining: 1 });
  if (result.non2xx > 0) throw new Error(`${url}: ${result.non2xx} answers were not 2xx`);
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
  };
}

const base = loadConfig().databaseUrl;
if (!base) throw new Error("bench:hub runs on PostgreSQL: set DATABASE_URL");
const name = `maillage_bench_${crypto.randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: base });
await admin.connect();
await admin.query(`create database ${name}`);
await admin.end();
const url = new URL(base);
url.pathname = `/${name}`;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-bench-hub-"));
const running: ChildProcess[] = [];
try {
  process.stdout.write(`Seeding ${values.offers} offers from 100 territories…\n`);
  const hub = await child(path.join(here, "server.ts"), [
    dataDir,
    url.href,
    values.offers,
    values.iterations,
  ]);
  running.push(hub.process);
  const hubUrl = String(hub.info.url);
  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(
    `${hub.info.offers} offers, ${hub.info.territories} territories (seeded in ${Math.round(Number(hub.info.seedMs) / 1000)} s)\n\n` +
      `Query path, p95 over ${values.iterations} runs each (ms):\n` +
      `${pad("query", 26)}${pad("rows", 6)}${pad("hub", 9)}${pad("bare SQL", 10)}ratio\n`,
  );
  for (const r of hub.info.results as {
    name: string;
    rows: number;
    hubP95: number;
    bareP95: number;
  }[])
    process.stdout.write(
      `${pad(r.name, 26)}${pad(String(r.rows), 6)}${pad(r.hubP95.toFixed(2), 9)}${pad(r.bareP95.toFixed(2), 10)}${(r.hubP95 / r.bareP95).toFixed(2)}\n`,
    );

  const html = await (await fetch(`${hubUrl}/hub/calendar`)).arrayBuffer();
  const json = await (await fetch(`${hubUrl}/api/v1/hub/offers`)).text();
  const bare = await child(path.join(here, "../catalogue/bare.ts"), [
    String(html.byteLength),
    String(json.length),
  ]);
  running.push(bare.process);
  const bareUrl = String(bare.info.url);
  process.stdout.write(
    `\nPages at ${connections} connections, ${duration} s each (calendar ${html.byteLength} bytes, API ${json.length} bytes):\n` +
      `${pad("target", 34)}${pad("req/s", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("timeouts", 10)}ratio to bare\n`,
  );
  const rows: [string, Awaited<ReturnType<typeof load>>, Awaited<ReturnType<typeof load>>?][] = [];
  const bareHtml = await load(`${bareUrl}/html`);
  rows.push(["bare Express, static HTML", bareHtml]);
  rows.push(["GET /hub/calendar (HTML)", await load(`${hubUrl}/hub/calendar`), bareHtml]);
  const bareJson = await load(`${bareUrl}/json`);
  rows.push(["bare Express, static JSON", bareJson]);
  rows.push(["GET /api/v1/hub/offers", await load(`${hubUrl}/api/v1/hub/offers`), bareJson]);
  for (const [target, r, baseline] of rows)
    process.stdout.write(
      `${pad(target, 34)}${pad(r.rps.toFixed(0), 10)}${pad(String(r.p50), 9)}${pad(String(r.p99), 9)}${pad(String(r.errors), 10)}` +
        `${baseline ? (r.rps / baseline.rps).toFixed(3) : "1"}\n`,
    );
} finally {
  for (const proc of running.reverse()) await stop(proc);
  fs.rmSync(dataDir, { recursive: true, force: true });
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
}
