import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadConfig } from "../../server/config.ts";
import { prettyLine } from "../../server/lib/log.ts";
import { DATABASE_URL } from "../support/env.ts";
import { freePort } from "../support/instance.ts";
import { REPO_ROOT, spawnMaillage, waitForHttp } from "../support/processes.ts";

// What a newcomer meets between `npm start` and the first page (issue: first impressions).
describe("first run", function () {
  this.timeout(120_000);

  it("says in one line which Node.js is needed when an older one runs npm start", function () {
    // Debian's Node (often 20) stands for the old Node a newcomer still has.
    const old = "/usr/bin/node";
    if (!fs.existsSync(old)) this.skip();
    const [major, minor] = execFileSync(old, ["-p", "process.versions.node"])
      .toString()
      .split(".")
      .map(Number);
    if (major! > 22 || (major === 22 && minor! >= 18)) this.skip();
    const run = spawnSync(old, ["--import", "./bin/node-version.mjs", "bin/maillage.ts", "start"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    assert.equal(run.status, 1);
    assert.equal(run.stdout, "");
    const lines = run.stderr.trim().split("\n");
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0]!, /^Maillage needs Node\.js 22\.18 or newer .* this is Node\.js 2\d\./);
    // The npm scripts load the check first.
    const scripts = (
      JSON.parse(fs.readFileSync(path.join(REPO_ROOT, "package.json"), "utf8")) as {
        scripts: Record<string, string>;
      }
    ).scripts;
    for (const name of ["start", "migrate", "seed:demo"])
      assert.match(scripts[name]!, /^node --import \.\/bin\/node-version\.mjs /);
    // The embedded database's WebAssembly on the baseline compiler: half the peak memory (ADR 0142).
    for (const name of ["start", "migrate"])
      assert.match(scripts[name]!, / --liftoff-only bin\/maillage\.ts /);
  });

  it("prints readable lines for a terminal and JSON lines otherwise", () => {
    assert.equal(loadConfig({ LOG_FORMAT: "pretty" }).logFormat, "pretty");
    assert.equal(loadConfig({ LOG_FORMAT: "json" }).logFormat, "json");
    assert.equal(loadConfig({ NODE_ENV: "production" }).logFormat, "json");
    const line = prettyLine(
      JSON.stringify({
        level: 30,
        time: Date.UTC(2026, 0, 5, 8, 4, 9),
        pid: 1,
        msg: "Ready",
        url: "http://x/",
      }),
      "Europe/Paris",
    );
    assert.equal(line, "09:04:09 INFO  Ready url=http://x/\n");
  });

  describe("from a fresh data folder", () => {
    let dir: string;
    before(function () {
      // The embedded database's folder is what a newcomer starts from.
      if (DATABASE_URL) this.skip();
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-first-run-"));
    });
    after(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it("ends the boot with the setup address, leads every page there, and seeding waits", async () => {
      const port = await freePort();
      const env = {
        PATH: process.env.PATH ?? "", // eslint-disable-line no-restricted-properties
        DATA_DIR: dir,
        PORT: String(port),
        PUBLIC_URL: `http://localhost:${port}`,
        LOG_FORMAT: "pretty",
      };
      const instance = spawnMaillage("start", env);
      try {
        const setup = `http://localhost:${port}/setup`;
        const deadline = Date.now() + 90_000;
        while (!instance.output().includes(setup) && Date.now() < deadline)
          await new Promise((r) => setTimeout(r, 200));
        const lines = instance.output().trim().split("\n");
        assert.match(
          lines.at(-1)!,
          /^\d\d:\d\d:\d\d INFO {2}Ready\. No administrator yet: open http:\/\/localhost:\d+\/setup to create one$/,
        );
        assert.ok(!lines.some((l) => l.startsWith("{")), "no JSON line in a readable log");
        await waitForHttp(`http://127.0.0.1:${port}/healthz`);
        for (const page of ["/", "/signup", "/offers"]) {
          const res = await fetch(`http://127.0.0.1:${port}${page}`, { redirect: "manual" });
          assert.equal(res.status, 303, page);
          assert.equal(res.headers.get("location"), "/setup", page);
        }
        // The login page stays reachable (an admin may come from ADMIN_EMAIL) and shows the way.
        assert.match(
          await (await fetch(`http://127.0.0.1:${port}/login`)).text(),
          /<a class="button" href="\/setup">Créer le compte d’administration<\/a>/,
        );
        const form = await fetch(`http://127.0.0.1:${port}/setup`);
        assert.equal(form.status, 200);
        assert.doesNotMatch(await form.text(), /href="\/setup"/);

        const seed = spawnSync(process.execPath, ["bin/seed-demo.ts"], {
          cwd: REPO_ROOT,
          env,
          encoding: "utf8",
        });
        assert.equal(seed.status, 1);
        assert.equal(
          seed.stderr,
          `The instance is running on ${dir}: stop it (Ctrl+C where npm start runs), then run npm run seed:demo again.\n`,
        );
      } finally {
        instance.child.kill("SIGTERM");
        await instance.exited;
      }
    });
  });
});
