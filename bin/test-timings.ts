// Sums and sorts the per-file times written by test/support/timing-reporter.ts:
//   node bin/test-timings.ts /tmp/t.jsonl [how many, 25 by default]
import fs from "node:fs";

const [file, top = "25"] = process.argv.slice(2);
if (!file) {
  console.error("usage: node bin/test-timings.ts <timings.jsonl> [how many]");
  process.exit(2);
}
const rows = fs
  .readFileSync(file, "utf8")
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line) as { file: string; ms: number; tests: number });
rows.sort((a, b) => b.ms - a.ms);
const total = rows.reduce((sum, r) => sum + r.ms, 0);
const min = (ms: number) => (ms / 60_000).toFixed(1).padStart(5);
console.log(`${rows.length} files, ${min(total)} min in all`);
for (const r of rows.slice(0, Number(top)))
  console.log(
    `${min(r.ms)} min ${((100 * r.ms) / total).toFixed(1).padStart(5)} %  ${String(r.tests).padStart(3)} tests  ${r.file}`,
  );
