// Inbox and API fuzz run against two loopback instances (see run.ts). Prints the counts and
// exits 1 if any answer was ≥ 500, a connection failed, an error went uncaught, a well-formed
// payload was not processed or the heap did not come back near its starting level.
//
//   npm run bench:fuzz [-- --payloads 10000 --seed 1 --concurrency 8 --api-share 0.4]
import { parseArgs } from "node:util";
import { runFuzz, type FuzzReport } from "./run.ts";

const { values: args } = parseArgs({
  options: {
    payloads: { type: "string", default: "10000" },
    seed: { type: "string", default: "1" },
    concurrency: { type: "string", default: "8" },
    "api-share": { type: "string", default: "0.4" },
    "control-every": { type: "string", default: "50" },
  },
});

/** The heap may grow by this much and still count as "back": caches of bounded size. */
export const HEAP_SLACK_MB = 40;

export function problems(report: FuzzReport): string[] {
  const found: string[] = [];
  if (report.serverErrors.length) found.push(`${report.serverErrors.length} answers ≥ 500`);
  if (report.connectionErrors.length)
    found.push(`${report.connectionErrors.length} failed connections`);
  if (report.uncaught.length) found.push(`${report.uncaught.length} uncaught errors`);
  if (report.wellFormed.processed !== report.wellFormed.sent)
    found.push(`${report.wellFormed.sent - report.wellFormed.processed} well-formed not processed`);
  if (!report.healthy) found.push("instance not ready at the end");
  if (report.heapMb.end > report.heapMb.start + HEAP_SLACK_MB)
    found.push(`heap ${report.heapMb.start} → ${report.heapMb.end} MB`);
  return found;
}

const payloads = Number(args.payloads);
const report = await runFuzz({
  payloads,
  seed: Number(args.seed),
  concurrency: Number(args.concurrency),
  apiShare: Number(args["api-share"]),
  controlEvery: Number(args["control-every"]),
  progress: (done) => process.stderr.write(`  ${done}/${payloads}\n`),
});
const { serverErrors, connectionErrors, uncaught, ...counts } = report;
process.stdout.write(`${JSON.stringify(counts, null, 2)}\n`);
for (const error of serverErrors.slice(0, 20))
  process.stdout.write(`≥500: ${error.status} ${error.target} [${error.kind}] ${error.sample}\n`);
for (const error of connectionErrors.slice(0, 10))
  process.stdout.write(`connection: ${error.target} [${error.kind}] ${error.error}\n`);
for (const error of uncaught.slice(0, 10)) process.stdout.write(`uncaught: ${error}\n`);
const found = problems(report);
process.stdout.write(found.length ? `FAILED: ${found.join("; ")}\n` : "OK: no problem found\n");
process.exit(found.length ? 1 : 0);
