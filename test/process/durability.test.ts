import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dropDatabase, freshDatabaseUrl } from "../support/databases.ts";
import { MODE, REDIS_URL } from "../support/env.ts";
import { freePort } from "../support/instance.ts";
import { readMails, waitForMail } from "../support/mail.ts";
import { spawnMaillage, waitForHttp } from "../support/processes.ts";
import { browser, person, submit } from "../support/web.ts";

// A first boot migrates a fresh database: on a machine busy with both CI passes, an embedded one
// took more than the default minute.
const BOOT_MS = 120_000;

describe(`processes: a job enqueued before SIGKILL runs after restart (${MODE})`, function () {
  this.timeout(300_000);
  let dataDir: string;
  let databaseUrl: string | undefined;

  before(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-kill-"));
    databaseUrl = await freshDatabaseUrl();
  });
  after(async () => {
    if (databaseUrl) await dropDatabase(databaseUrl);
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps the confirmation mail job through a SIGKILL", async () => {
    const port = await freePort();
    const env: Record<string, string> = {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDir,
      LOG_LEVEL: "warn",
      // An admin exists, so that /signup is served rather than led to /setup.
      ADMIN_EMAIL: "chef-kill@exemple.fr",
      ADMIN_PASSWORD: "administrateur sûr",
      REDIS_PREFIX: `kill${crypto.randomBytes(3).toString("hex")}`,
      ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
      ...(REDIS_URL ? { REDIS_URL } : {}),
    };
    const url = `http://127.0.0.1:${port}`;
    // A web process only: the job is enqueued but no worker of this process can take it.
    const web = spawnMaillage("start", { ...env, PROCESS_ROLE: "web" });
    try {
      await waitForHttp(`${url}/healthz`, BOOT_MS);
      const who = person("kill");
      const res = await submit(browser(url), "/signup", "/signup", who);
      assert.equal(res.status, 303);
      web.child.kill("SIGKILL");
      const exit = await web.exited;
      assert.equal(exit.signal, "SIGKILL");
      assert.equal(readMails(dataDir).length, 0, "nothing was sent before the kill");

      const restarted = spawnMaillage("start", env);
      try {
        await waitForHttp(`${url}/healthz`, BOOT_MS);
        const mail = await waitForMail(dataDir, who.email, /Confirmez/, 60_000);
        assert.match(mail.text, /\/confirm\//);
      } finally {
        restarted.child.kill("SIGTERM");
        assert.equal((await restarted.exited).code, 0, restarted.output());
      }
    } finally {
      web.child.kill("SIGKILL");
    }
  });
});
