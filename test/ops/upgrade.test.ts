import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { hashPassword } from "../../server/accounts/secrets.ts";
import { loadConfig } from "../../server/config.ts";
import { openDatabase } from "../../server/db/database.ts";
import { DatabaseNewerError, listMigrations, migrate } from "../../server/db/migrate.ts";
import { loggedIn } from "../support/accounts.ts";
import { dropDatabase } from "../support/databases.ts";
import { freePort, startTestInstance } from "../support/instance.ts";
import { maillage, operatorEnv } from "../support/operator.ts";
import { REPO_ROOT } from "../support/processes.ts";
import { browser } from "../support/web.ts";

// The last commit before the current release's work: its migrations build the database an
// instance of the previous version has.
const PREVIOUS_RELEASE = "300d173";

function previousMigrations(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-previous-"));
  const git = (...args: string[]) =>
    execFileSync("git", args, { cwd: REPO_ROOT, maxBuffer: 64 << 20 });
  const files = git("ls-tree", "--name-only", `${PREVIOUS_RELEASE}:migrations`)
    .toString()
    .split("\n");
  for (const file of files.filter((f) => f.endsWith(".sql")))
    fs.writeFileSync(path.join(dir, file), git("show", `${PREVIOUS_RELEASE}:migrations/${file}`));
  return dir;
}

describe("upgrades", function () {
  this.timeout(600_000);
  const envs: Record<string, string>[] = [];
  let oldMigrations: string;
  before(() => {
    oldMigrations = previousMigrations();
  });
  after(async () => {
    fs.rmSync(oldMigrations, { recursive: true, force: true });
    for (const env of envs) {
      if (env.DATABASE_URL) await dropDatabase(env.DATABASE_URL);
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    }
  });

  it("upgrades the previous version's database and keeps its data", async () => {
    const env = await operatorEnv();
    envs.push(env);
    const old = await listMigrations(oldMigrations);
    assert.ok(old.length >= 8, "the previous version's migrations are read from git");

    // The previous version's database, with what its members had put in it.
    const handle = await openDatabase(loadConfig(env));
    try {
      await migrate(handle.db, oldMigrations);
      await handle.db
        .insertInto("users")
        .values({
          email: "ancienne@cmcas.fr",
          password_hash: await hashPassword("mot de passe d'avant"),
          username: "ancienne",
          display_name: "Membre d'avant",
          role: "admin",
          language: "fr",
          notification_prefs: JSON.stringify({}),
          email_confirmed_at: new Date(),
        })
        .execute();
      await sql`insert into instance_settings (id, name, session_secret)
        values (1, 'CMCAS d''avant', 'secret-d-avant-la-mise-a-jour-0123456789')
        on conflict (id) do update set name = excluded.name`.execute(handle.db);
    } finally {
      await handle.close();
    }

    // Today's code starts on it: it applies the new migrations and the data is still there.
    const port = await freePort();
    const instance = await startTestInstance({
      reuse: {
        databaseUrl: env.DATABASE_URL,
        dataDir: env.DATA_DIR!,
        port,
        redisPrefix: env.REDIS_PREFIX!,
      },
    });
    try {
      const applied = await instance.ctx.db
        .selectFrom("schema_migrations")
        .select("version")
        .execute();
      const today = await listMigrations();
      assert.deepEqual(
        applied.map((m) => m.version).sort((a, b) => a - b),
        today.map((m) => m.version),
      );
      const home = await browser(instance.url).get("/");
      assert.match(home.text, /CMCAS d&#x27;avant|CMCAS d'avant/);
      const admin = await loggedIn(instance, {
        email: "ancienne@cmcas.fr",
        password: "mot de passe d'avant",
      });
      assert.equal((await admin.get("/admin")).status, 200);
    } finally {
      await instance.stop();
    }
  });

  it("refuses to start on a database a newer version has migrated", async () => {
    const env = await operatorEnv();
    envs.push(env);
    const handle = await openDatabase(loadConfig(env));
    try {
      await migrate(handle.db);
      await handle.db
        .insertInto("schema_migrations")
        .values({ version: 9999, name: "from_the_future" })
        .execute();
      await assert.rejects(migrate(handle.db), DatabaseNewerError);
    } finally {
      await handle.close();
    }
    const start = await maillage(["start"], { ...env, PORT: String(await freePort()) });
    assert.equal(start.code, 1);
    assert.match(
      start.stderr,
      /The database has migration 9999, which this version of Maillage does not know/,
    );
    assert.doesNotMatch(start.stderr, /^\s+at /m, "a message, not a stack");
  });
});
