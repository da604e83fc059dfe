// A mocha reporter: the spec output, plus the wall time of each test file (its hooks included,
// where the instances start) written as JSON lines to the file named by MOCHA_TIMINGS. It shows
// where the suite's time goes (ADR 0166):
//   MOCHA_TIMINGS=/tmp/t.jsonl npm test -- --reporter ./test/support/timing-reporter.ts
//   node bin/test-timings.ts /tmp/t.jsonl
import fs from "node:fs";
import path from "node:path";
import Mocha from "mocha";

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING } =
  Mocha.Runner.constants;

interface FileTime {
  file: string;
  ms: number;
  tests: number;
  started: number;
  open: number;
}

export default class TimingReporter extends Mocha.reporters.Spec {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    // A test tool, not the application: it may read its one switch directly.
    // eslint-disable-next-line no-restricted-properties
    const out = process.env.MOCHA_TIMINGS;
    if (!out) return;
    const files = new Map<string, FileTime>();
    const entry = (file: string) => {
      let e = files.get(file);
      if (!e) files.set(file, (e = { file, ms: 0, tests: 0, started: 0, open: 0 }));
      return e;
    };
    // A file's top-level describes, timed from the first one's start to the last one's end.
    const topLevel = (suite: Mocha.Suite) => suite.file !== undefined && suite.parent?.root;
    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (!topLevel(suite)) return;
      const e = entry(suite.file!);
      if (e.open++ === 0) e.started = performance.now();
    });
    runner.on(EVENT_SUITE_END, (suite: Mocha.Suite) => {
      if (!topLevel(suite)) return;
      const e = entry(suite.file!);
      if (--e.open === 0) e.ms += performance.now() - e.started;
    });
    const count = (test: Mocha.Test) => {
      if (test.file) entry(test.file).tests += 1;
    };
    runner.on(EVENT_TEST_PASS, count);
    runner.on(EVENT_TEST_FAIL, count);
    runner.on(EVENT_TEST_PENDING, count);
    runner.once("end", () => {
      const lines = [...files.values()].map(({ file, ms, tests }) =>
        JSON.stringify({ file: path.relative(process.cwd(), file), ms: Math.round(ms), tests }),
      );
      fs.writeFileSync(out, lines.join("\n") + "\n");
    });
  }
}
