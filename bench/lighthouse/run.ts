// `npm run bench:lighthouse`: Lighthouse (pinned in devDependencies) with the system Chromium, in
// its default phone emulation (a mid-range phone, throttled network and CPU), on the home,
// catalogue, offer, forum topic and tutorial pages of a seeded embedded instance on 127.0.0.1.
// Prints the performance and accessibility scores of each page (goal: 95 or more each).
// --page <word> (repeatable) keeps only the pages whose name contains one of the words.
//   node bench/lighthouse/run.ts [--chromium /usr/bin/chromium] [--keep-reports <dir>] [--page forum]
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { promisify } from "node:util";

const { values } = parseArgs({
  options: {
    chromium: { type: "string", default: "/usr/bin/chromium" },
    "keep-reports": { type: "string" },
    page: { type: "string", multiple: true },
  },
});
const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.join(here, "../../node_modules/lighthouse/cli/index.js");
const run = promisify(execFile);

function start(dataDir: string) {
  return new Promise<{ proc: ChildProcess; url: string; pages: Record<string, string> }>(
    (resolve, reject) => {
      const proc = spawn(process.execPath, [path.join(here, "server.ts"), dataDir], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let buffer = "";
      proc.stdout!.on("data", (chunk: Buffer) => {
        buffer += chunk.toString();
        if (!buffer.includes("\n")) return;
        const info = JSON.parse(buffer.split("\n")[0]!) as {
          url: string;
          pages: Record<string, string>;
        };
        resolve({ proc, ...info });
      });
      proc.once("exit", (code) => reject(new Error(`server.ts exited with ${code}`)));
    },
  );
}

interface Report {
  categories: Record<string, { score: number | null }>;
  audits: Record<string, { score: number | null; title: string; displayValue?: string }>;
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-lighthouse-"));
const server = await start(dataDir);
try {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(server.url)) throw new Error(`refusing ${server.url}`);
  const rows: [string, number, number, string[]][] = [];
  const wanted = values.page ?? [];
  for (const [name, page] of Object.entries(server.pages)) {
    if (wanted.length && !wanted.some((word) => name.includes(word))) continue;
    const { stdout } = await run(
      process.execPath,
      [
        cli,
        `${server.url}${page}`,
        `--chrome-path=${values.chromium}`,
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        "--only-categories=performance,accessibility",
        "--output=json",
        "--output-path=stdout",
        "--quiet",
      ],
      { maxBuffer: 64 * 1024 * 1024 },
    );
    const report = JSON.parse(stdout) as Report;
    if (values["keep-reports"])
      fs.writeFileSync(
        path.join(values["keep-reports"], `${name.replace(/\W+/g, "-")}.json`),
        stdout,
      );
    // What costs points: audits below 0.9, by name, for the reader to fix.
    const failing = Object.entries(report.audits)
      .filter(([, a]) => a.score !== null && a.score < 0.9)
      .map(([id, a]) => `${id}${a.displayValue ? ` (${a.displayValue})` : ""}`);
    rows.push([
      `${name} ${page}`,
      Math.round((report.categories.performance?.score ?? 0) * 100),
      Math.round((report.categories.accessibility?.score ?? 0) * 100),
      failing,
    ]);
  }
  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(`\n${pad("page", 64)}${pad("performance", 13)}accessibility\n`);
  for (const [page, perf, a11y] of rows)
    process.stdout.write(`${pad(page, 64)}${pad(String(perf), 13)}${a11y}\n`);
  process.stdout.write("\nAudits under 0.9:\n");
  for (const [page, , , failing] of rows)
    process.stdout.write(`${page}: ${failing.length ? failing.join(", ") : "none"}\n`);
} finally {
  await new Promise<void>((resolve) => {
    if (server.proc.exitCode !== null) return resolve();
    server.proc.once("exit", () => resolve());
    server.proc.kill("SIGTERM");
  });
  fs.rmSync(dataDir, { recursive: true, force: true });
}
