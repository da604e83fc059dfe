// Inbox and API fuzz run against two loopback instances (see run.ts). Prints the counts and
// exits 1 if any answer was ≥ 500, a connection failed, an error went uncaught, a well-formed
// payload was not processed or the heap did not come back near its starting level.
//
//   npm run bench:fuzz [-- --payloads 10000 --seed 1 --concurrency 8 --api-share 0.4 --rounds 1]
import { parseArgs } from "node:util";
import { problems, runFuzz } from "./run.ts";

const { values: args } = parseArgs({
  options: {
    payloads: { type: "string", default: "10000" },
    seed: { type: "string", default: "1" },
    concurrency: { type: "string", default: "8" },
    "api-share": { type: "string", default: "0.4" },
    "control-every": { type: "string", default: "50" },
    rounds: { type: "string", default: "1" },
  },
});

const payloads = Number(args.payloads);
const report = await runFuzz({
  payloads,
  seed: Number(args.seed),
  concurrency: Number(args.concurrency),
  apiShare: Number(args["api-share"]),
  controlEvery: Number(args["control-every"]),
  rounds: Number(args.rounds),
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
