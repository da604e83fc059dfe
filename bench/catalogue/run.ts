// `npm run bench:catalogue`: the catalogue on 10,000 offers, against a bare Express route that
// returns a static body of the same size, in the same run, on 127.0.0.1 only. Uses PostgreSQL
// when DATABASE_URL is set (a fresh database, dropped afterwards), the embedded PGlite otherwise.
// --rendered (PostgreSQL): also every page rendered, as members get them, with the offer cards
// kept (ADR 0158) and without, each against the same bare page.
//   node bench/catalogue/run.ts [--duration 10] [--connections 64] [--offers 10000] [--rendered]
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
    offers: { type: "string", default: "10000" },
    rendered: { type: "boolean", default: false },
  },
});
const duration = Math.min(60, Math.max(1, Number(values.duration)));
const connections = Number(values.connections);
const here = path.dirname(fileURLToPath(import.meta.url));

function child(
  script: string,
  args: string[],
): Promise<{ process: ChildProcess; info: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [path.join(here, script), ...args], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let buffer = "";
    const timer = setTimeout(
      () => reject(new Error(`${script} did not start in 10 minutes`)),
      600_000,
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
  });
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
  // Errors are requests still unanswered after autocannon's 10 s timeout: reported, not hidden.
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
  };
}

const base = loadConfig().databaseUrl;
let databaseUrl = "-";
if (base) {
  const name = `maillage_bench_${crypto.randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: base });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(base);
  url.pathname = `/${name}`;
  databaseUrl = url.href;
}
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-bench-"));
const running: ChildProcess[] = [];
try {
  process.stdout.write(`Seeding ${values.offers} offers…\n`);
  const instance = await child("server.ts", [
    dataDir,
    databaseUrl,
    values.offers,
    ...(values.rendered ? ["rendered"] : []),
  ]);
  running.push(instance.process);
  const url = String(instance.info.url);
  const htmlPage = await fetch(`${url}/offers`);
  const jsonPage = await fetch(`${url}/api/v1/offers`);
  const htmlBytes = (await htmlPage.arrayBuffer()).byteLength;
  const jsonBody = (await jsonPage.json()) as { total: number; items: unknown[] };
  const jsonBytes = JSON.stringify(jsonBody).length;
  if (jsonBody.items.length !== 50) throw new Error("the catalogue does not list 50 offers");
  const bare = await child("bare.ts", [String(htmlBytes), String(jsonBytes)]);
  running.push(bare.process);
  const bareUrl = String(bare.info.url);

  process.stdout.write(
    `${instance.info.offers} offers (${instance.info.database}, seeded in ${Math.round(Number(instance.info.seedMs) / 1000)} s); ` +
      `catalogue page ${htmlBytes} bytes, API page ${jsonBytes} bytes, ${jsonBody.total} offers listed; ` +
      `${connections} connections, ${duration} s per target\n`,
  );
  const rows: [
    string,
    Awaited<ReturnType<typeof load>>,
    Awaited<ReturnType<typeof load>> | undefined,
  ][] = [];
  const bareHtml = await load(`${bareUrl}/html`);
  rows.push(["bare Express, static HTML", bareHtml, undefined]);
  rows.push(["GET /offers (HTML, 50 first)", await load(`${url}/offers`), bareHtml]);
  if (
    typeof instance.info.cardsKept === "string" &&
    typeof instance.info.cardsRendered === "string"
  ) {
    await fetch(`${instance.info.cardsKept}/offers`); // the first page renders the cards
    rows.push(["rendered, cards kept", await load(`${instance.info.cardsKept}/offers`), bareHtml]);
    rows.push([
      "rendered, cards rendered",
      await load(`${instance.info.cardsRendered}/offers`),
      bareHtml,
    ]);
  } else if (values.rendered) process.stdout.write("--rendered needs DATABASE_URL: skipped\n");
  const bareJson = await load(`${bareUrl}/json`);
  rows.push(["bare Express, static JSON", bareJson, undefined]);
  rows.push(["GET /api/v1/offers (50 first)", await load(`${url}/api/v1/offers`), bareJson]);

  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(
    `\n${pad("target", 32)}${pad("req/s", 10)}${pad("p50 ms", 9)}${pad("p99 ms", 9)}${pad("timeouts", 10)}ratio to bare\n`,
  );
  for (const [name, r, baseline] of rows)
    process.stdout.write(
      `${pad(name, 32)}${pad(r.rps.toFixed(0), 10)}${pad(String(r.p50), 9)}${pad(String(r.p99), 9)}${pad(String(r.errors), 10)}` +
        `${baseline ? (r.rps / baseline.rps).toFixed(3) : "1"}\n`,
    );
} finally {
  for (const proc of running.reverse()) await stop(proc);
  fs.rmSync(dataDir, { recursive: true, force: true });
  if (databaseUrl !== "-" && base) {
    const client = new pg.Client({ connectionString: base });
    await client.connect();
    await client.query(
      `drop database if exists ${new URL(databaseUrl).pathname.slice(1)} with (force)`,
    );
    await client.end();
  }
}
