// The fuzz run (bench/fuzz) in small: 300 broken inbox and API payloads, signed and unsigned,
// with well-formed ones mixed in. `npm run bench:fuzz` runs 10,000.
import assert from "node:assert/strict";
import { problems, runFuzz } from "../../bench/fuzz/run.ts";

describe("fuzz: broken inbox and API payloads", function () {
  this.timeout(600_000);

  it("never answers 500 nor crashes, and still processes the well-formed ones", async () => {
    const report = await runFuzz({
      payloads: 300,
      seed: 20261206,
      concurrency: 4,
      apiShare: 0.4,
      controlEvery: 30,
    });
    assert.ok(report.sent >= 300 && report.inbox.signed > 0 && report.inbox.unsigned > 0);
    assert.ok(report.wellFormed.sent >= 10);
    assert.deepEqual(
      problems(report),
      [],
      JSON.stringify({
        serverErrors: report.serverErrors.slice(0, 3),
        connectionErrors: report.connectionErrors.slice(0, 3),
      }),
    );
  });
});
