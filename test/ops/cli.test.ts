import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import { loadConfig } from "../../server/config.ts";
import { openDatabase, type DatabaseHandle } from "../../server/db/database.ts";
import { verifyPassword } from "../../server/accounts/secrets.ts";
import { dropDatabase } from "../support/databases.ts";
import { maillage, operatorEnv } from "../support/operator.ts";

describe("command line for operators", function () {
  // Each command is a Node process that boots the modules: slow on a busy machine.
  this.timeout(240_000);
  let env: Record<string, string>;
  before(async () => {
    env = await operatorEnv();
  });
  after(async () => {
    if (env.DATABASE_URL) await dropDatabase(env.DATABASE_URL);
    fs.rmSync(env.DATA_DIR!, { recursive: true, force: true });
  });

  /** The instance's database, opened between two commands (embedded: one process at a time). */
  async function withDb<T>(work: (db: DatabaseHandle["db"]) => Promise<T>): Promise<T> {
    const handle = await openDatabase(loadConfig(env));
    try {
      return await work(handle.db);
    } finally {
      await handle.close();
    }
  }
  const credentials = (email: string) =>
    withDb((db) =>
      db
        .selectFrom("users")
        .select(["role", "password_hash", "email_confirmed_at"])
        .where("email", "=", email)
        .executeTakeFirstOrThrow(),
    );

  it("creates an admin with the password given on standard input", async () => {
    const result = await maillage(
      ["create-admin", "chef@cmcas.fr", "--password-stdin"],
      env,
      "mot de passe très sûr\n",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Admin chef@cmcas.fr created/);
    assert.doesNotMatch(result.stdout, /Password:/);
    const row = await credentials("chef@cmcas.fr");
    assert.equal(row.role, "admin");
    assert.ok(row.email_confirmed_at);
    assert.ok(await verifyPassword(row.password_hash, "mot de passe très sûr"));
  });

  it("generates a password when none is given, and refuses a short one", async () => {
    const result = await maillage(["create-admin", "adjoint@cmcas.fr"], env);
    assert.equal(result.code, 0, result.stderr);
    const generated = /Password: (\S+)/.exec(result.stdout)?.[1];
    assert.ok(generated && generated.length === 20);
    assert.ok(
      await verifyPassword((await credentials("adjoint@cmcas.fr")).password_hash, generated),
    );
    const short = await maillage(
      ["create-admin", "x@cmcas.fr", "--password-stdin"],
      env,
      "court\n",
    );
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 10 characters/);
    const usage = await maillage(["create-admin"], env);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Usage: maillage create-admin EMAIL/);
  });

  it("resets a password and closes the member's sessions", async () => {
    const user = await withDb((db) =>
      db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "chef@cmcas.fr")
        .executeTakeFirstOrThrow(),
    );
    await withDb((db) =>
      db
        .insertInto("sessions")
        .values({
          sid: "s1",
          user_id: user.id,
          sess: {},
          expires_at: new Date(Date.now() + 3600_000),
        } as never)
        .execute(),
    );
    const result = await maillage(
      ["reset-password", "chef@cmcas.fr", "--password-stdin"],
      env,
      "un autre mot de passe\n",
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Password of chef@cmcas.fr replaced/);
    const row = await credentials("chef@cmcas.fr");
    assert.ok(await verifyPassword(row.password_hash, "un autre mot de passe"));
    assert.ok(!(await verifyPassword(row.password_hash, "mot de passe très sûr")));
    if (!env.REDIS_URL) {
      const left = await withDb((db) =>
        db.selectFrom("sessions").select("sid").where("user_id", "=", user.id).execute(),
      );
      assert.equal(left.length, 0);
    }
    const unknown = await maillage(["reset-password", "personne@cmcas.fr"], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /No account has the address personne@cmcas.fr/);
  });

  it("lists failed deliveries by peer and queues them again", async () => {
    const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await withDb((db) =>
      db
        .insertInto("federation_deliveries")
        .values(
          ids.map((id, i) => ({
            id,
            host: i < 2 ? "panne.example" : "ok.example",
            inbox: "https://panne.example/inbox",
            activity_type: "Create",
            status: i < 2 ? (i === 0 ? "dead" : "failing") : "delivered",
            attempts: 4,
            last_error: i < 2 ? "HTTP 503" : null,
            message: { attempt: 4, started: new Date().toISOString() },
          })),
        )
        .execute(),
    );
    const listed = await maillage(["deliveries", "--all"], env);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^panne\.example\t1\t1\tHTTP 503$/m);
    assert.doesNotMatch(listed.stdout, /ok\.example/);
    assert.match(
      listed.stdout,
      new RegExp(`^${ids[0]}\\tpanne\\.example\\tCreate\\tdead\\t4`, "m"),
    );

    const retried = await maillage(["retry-deliveries", "panne.example"], env);
    assert.equal(retried.code, 0, retried.stderr);
    assert.match(retried.stdout, /2 deliveries queued again to panne\.example/);
    const states = await withDb((db) =>
      db
        .selectFrom("federation_deliveries")
        .select(["status", "attempts"])
        .where("host", "=", "panne.example")
        .execute(),
    );
    assert.deepEqual(states, [
      { status: "pending", attempts: 0 },
      { status: "pending", attempts: 0 },
    ]);
    if (!env.REDIS_URL) {
      const jobs = await withDb((db) =>
        db.selectFrom("jobs").select("payload").where("type", "=", "federation.deliver").execute(),
      );
      assert.equal(jobs.length, 2);
    }
    const none = await maillage(["deliveries"], env);
    assert.match(none.stdout, /No failed delivery/);
  });

  it("shows the configuration with its secrets masked", async () => {
    const result = await maillage(["config"], {
      ...env,
      SMTP_URL: "smtp://courrier:motdepasse-smtp@mail.cmcas.fr:587",
      METRICS_TOKEN: "jeton-des-metriques-secret",
      ADMIN_EMAIL: "chef@cmcas.fr",
      ADMIN_PASSWORD: "mot-de-passe-admin",
    });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^smtpUrl=smtp:\/\/courrier:\*+@mail\.cmcas\.fr:587/m);
    assert.match(result.stdout, /^metrics\.token=\*+$/m);
    assert.match(result.stdout, /^admin\.password=\*+$/m);
    assert.match(result.stdout, /^dataDir=/m);
    for (const secret of ["motdepasse-smtp", "jeton-des-metriques-secret", "mot-de-passe-admin"])
      assert.ok(!result.stdout.includes(secret), secret);
  });
});
