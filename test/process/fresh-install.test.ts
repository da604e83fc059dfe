import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { DATABASE_URL } from "../support/env.ts";
import { freePort } from "../support/instance.ts";
import { REPO_ROOT, waitForHttp } from "../support/processes.ts";

// What an admin does: get the sources, `npm install`, `npm start`, nothing else installed.
describe("fresh install: npm install then npm start", function () {
  this.timeout(15 * 60_000);
  let dir: string;

  before(function () {
    // The check needs no database server; it runs once, in the embedded-mode pass.
    if (DATABASE_URL) this.skip();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-fresh-"));
    // The files git would clone (tracked and new, not ignored), as they are in the working tree.
    const files = execFileSync(
      "git",
      ["ls-files", "--cached", "--others", "--exclude-standard", "-z"],
      { cwd: REPO_ROOT },
    )
      .toString()
      .split("\0")
      .filter((f) => f && fs.existsSync(path.join(REPO_ROOT, f)));
    for (const file of files) {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.copyFileSync(path.join(REPO_ROOT, file), path.join(dir, file));
    }
  });
  after(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("serves the French home page within 60 seconds on the embedded database", async () => {
    const npm = execFileSync("which", ["npm"]).toString().trim();
    // This Node first, then npm's folder: the same toolchain as the test run, nothing else.
    const env = {
      PATH: [path.dirname(process.execPath), path.dirname(npm), "/usr/bin", "/bin"].join(":"),
      HOME: os.homedir(),
    };
    try {
      execFileSync(npm, ["install", "--no-audit", "--no-fund", "--prefer-offline"], {
        cwd: dir,
        env,
        stdio: "pipe",
      });
    } catch (error) {
      const failed = error as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`npm install failed:\n${String(failed.stdout)}\n${String(failed.stderr)}`, {
        cause: error,
      });
    }
    assert.ok(!fs.existsSync(path.join(dir, "data")), "no data folder before the first start");

    const port = await freePort();
    const started = Date.now();
    const child = spawn(npm, ["start"], {
      cwd: dir,
      env: { ...env, PORT: String(port) },
      stdio: "ignore",
      detached: true,
    });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60_000);
      const res = await fetch(`http://127.0.0.1:${port}/`);
      const html = await res.text();
      const elapsed = Date.now() - started;
      assert.equal(res.status, 200);
      assert.match(html, /<html lang="fr">/);
      assert.ok(elapsed < 60_000, `home page served after ${elapsed} ms`);
      assert.ok(
        fs.existsSync(path.join(dir, "data", "pglite")),
        "embedded database created in ./data",
      );
    } finally {
      process.kill(-child.pid!, "SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
  });
});
