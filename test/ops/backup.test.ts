import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../../server/config.ts";
import { openDatabase } from "../../server/db/database.ts";
import { scheduledBackup, tableRows, takeBackup } from "../../server/ops/backup.ts";
import { listBackups } from "../../server/ops/backup-files.ts";
import { dropDatabase } from "../support/databases.ts";
import { freePort, startTestInstance } from "../support/instance.ts";
import { childEnv, maillage, operatorEnv } from "../support/operator.ts";
import { spawnMaillage, waitForHttp } from "../support/processes.ts";

async function rowsOf(env: Record<string, string>) {
  const handle = await openDatabase(loadConfig(env));
  try {
    const rows = await tableRows(handle.db);
    const users = await handle.db.selectFrom("users").select("email").orderBy("email").execute();
    return { rows, emails: users.map((u) => u.email) };
  } finally {
    await handle.close();
  }
}

describe("backup and restore", function () {
  this.timeout(600_000);
  const envs: Record<string, string>[] = [];
  after(async () => {
    for (const env of envs) {
      if (env.DATABASE_URL) await dropDatabase(env.DATABASE_URL);
      fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
    }
  });

  it("backs up a running instance and restores it into a fresh one, every row and file", async () => {
    const source = await operatorEnv();
    const target = await operatorEnv();
    envs.push(source, target);
    const port = await freePort();
    Object.assign(source, { PORT: String(port), HOST: "127.0.0.1" });

    // Some data: an admin and a member, and files under DATA_DIR/uploads.
    for (const email of ["chef@cmcas.fr", "membre@cmcas.fr"]) {
      const made = await maillage(
        ["create-admin", email, "--password-stdin"],
        source,
        "mot de passe sûr\n",
      );
      assert.equal(made.code, 0, made.stderr);
    }
    const photo = Buffer.from("une photo de séjour, octet par octet \u0000\u00ff");
    fs.mkdirSync(path.join(source.DATA_DIR!, "uploads", "exports"), { recursive: true });
    fs.writeFileSync(path.join(source.DATA_DIR!, "uploads", "exports", "photo.bin"), photo);

    // The instance runs while the backup is taken (embedded: it copies its own database).
    const running = spawnMaillage("start", childEnv({ LOG_LEVEL: "warn", ...source }));
    try {
      await waitForHttp(`http://127.0.0.1:${port}/healthz`, 180_000);
      const backup = await maillage(["backup"], source);
      assert.equal(backup.code, 0, backup.stderr + running.output());
      assert.match(backup.stdout, /Backup written to /);
    } finally {
      running.child.kill("SIGTERM");
      await running.exited;
    }
    const [taken] = await listBackups(loadConfig(source).backup.dir);
    assert.ok(taken, "a backup is listed");
    assert.deepEqual(taken.files, ["exports/photo.bin"]);
    const before = await rowsOf(source);
    assert.equal(before.rows.users, 2);
    assert.deepEqual(taken.rows, before.rows);

    const restored = await maillage(["restore", taken.path], target);
    assert.equal(restored.code, 0, restored.stderr);
    assert.match(restored.stdout, /all found/);
    const after = await rowsOf(target);
    assert.deepEqual(after.rows, before.rows);
    assert.deepEqual(after.emails, ["chef@cmcas.fr", "membre@cmcas.fr"]);
    assert.ok(
      fs.readFileSync(path.join(target.DATA_DIR!, "uploads", "exports", "photo.bin")).equals(photo),
    );

    // A second restore over the restored instance needs --replace.
    const again = await maillage(["restore", taken.path], target);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /--replace/);
  });

  it("keeps BACKUP_KEEP backups and takes the scheduled one when the last is old enough", async () => {
    const instance = await startTestInstance({
      env: { BACKUP_KEEP: "2" },
    });
    try {
      const source = {
        config: instance.ctx.config,
        db: instance.ctx.db,
        dbKind: instance.ctx.dbKind,
      };
      const day = 24 * 3600_000;
      const old = Date.now() - 3 * day;
      for (let i = 0; i < 3; i++) await takeBackup(source, new Date(old + i * 60_000));
      const kept = await listBackups(instance.ctx.config.backup.dir);
      assert.deepEqual(
        kept.map((b) => b.createdAt.getTime()),
        [old + 120_000, old + 60_000],
      );
      assert.equal(await scheduledBackup(source), undefined, "BACKUP_EVERY_HOURS=0: never");
      const daily = {
        ...source,
        config: { ...source.config, backup: { ...source.config.backup, everyHours: 24 } },
      };
      const written = await scheduledBackup(daily);
      assert.ok(written, "the newest backup is three days old: a new one is due");
      assert.equal(await scheduledBackup(daily), undefined, "not again within the day");
      assert.equal((await listBackups(instance.ctx.config.backup.dir)).length, 2);
    } finally {
      await instance.destroy();
    }
  });
});
