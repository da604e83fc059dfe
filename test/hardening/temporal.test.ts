// Scripts (seed:demo, benches) import domain and federation code without the federation runtime:
// every module that uses Temporal must load the polyfill itself (Node 24 has no global one).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(relative);
    return entry.name.endsWith(".ts") ? [relative] : [];
  });
}

describe("the Temporal polyfill", function () {
  this.timeout(120_000);

  it("is loaded by each module that uses Temporal, imported alone", () => {
    const users = ["server", "federation", "app", "bin"]
      .flatMap(sources)
      .filter((file) => /\bTemporal\.[A-Z]/.test(fs.readFileSync(path.join(root, file), "utf8")));
    assert.ok(users.length >= 5, `modules using Temporal: ${users.join(", ")}`);
    const missing = users.filter((file) => {
      const script =
        `await import(${JSON.stringify(path.join(root, file))});` +
        `process.stdout.write(typeof globalThis.Temporal?.Instant?.fromEpochMilliseconds)`;
      const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
        cwd: root,
        encoding: "utf8",
      });
      return out.trim() !== "function";
    });
    assert.deepEqual(missing, []);
  });
});
