// Migrations of modules and plugins: numbered per module, recorded under its name, applied once
// under the core's advisory lock, on PostgreSQL and PGlite alike.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "kysely";
import { openDatabase, type DatabaseHandle } from "../../server/db/database.ts";
import { listMigrations, migrate, pendingMigrations } from "../../server/db/migrate.ts";
import { dropDatabase, freshDatabaseUrl } from "../support/databases.ts";
import { MODE } from "../support/env.ts";

function folder(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-mig-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe(`modules: per-module migrations (${MODE})`, () => {
  let handle: DatabaseHandle;
  let url: string | undefined;
  const dirs: string[] = [];

  before(async () => {
    url = await freshDatabaseUrl();
    handle = await openDatabase({ databaseUrl: url, dataDir: os.tmpdir() }, { pgliteMemory: true });
    await migrate(handle.db);
  });
  after(async () => {
    await handle.close();
    if (url) await dropDatabase(url);
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("applies each module's files once, numbered and recorded under the module's name", async () => {
    const one = folder({
      "0001_first.sql": "create table plug_one (id int primary key);",
      "0002_second.sql": "alter table plug_one add column label text;",
    });
    // Another module numbers from 0001 too: the namespaces do not collide.
    const two = folder({ "0001_first.sql": "create table plug_two (id int primary key);" });
    dirs.push(one, two);
    const modules = [
      { module: "one", dir: one },
      { module: "two", dir: two },
    ];
    assert.deepEqual(
      (await pendingMigrations(handle.db, undefined, modules)).map(
        (m) => `${m.module}/${m.version}`,
      ),
      ["one/1", "one/2", "two/1"],
    );
    const applied = await migrate(handle.db, null, modules);
    assert.deepEqual(
      applied.map((m) => `${m.module}/${m.version}_${m.name}`),
      ["one/1_first", "one/2_second", "two/1_first"],
    );
    assert.deepEqual(await migrate(handle.db, null, modules), []);
    assert.deepEqual(await pendingMigrations(handle.db, undefined, modules), []);
    await sql`insert into plug_one (id, label) values (1, 'kept')`.execute(handle.db);
    const rows = await handle.db
      .selectFrom("module_migrations")
      .select(["module", "version", "name"])
      .orderBy("module")
      .orderBy("version")
      .execute();
    assert.deepEqual(rows, [
      { module: "one", version: 1, name: "first" },
      { module: "one", version: 2, name: "second" },
      { module: "two", version: 1, name: "first" },
    ]);
    // The core's own record is untouched by modules.
    const core = await handle.db.selectFrom("schema_migrations").select("version").execute();
    assert.equal(core.length, (await listMigrations()).length);
  });

  it("adds a module's new file later, and never applies one twice when starts race", async () => {
    const dir = folder({ "0001_first.sql": "create table plug_race (id int primary key);" });
    dirs.push(dir);
    const modules = [{ module: "race", dir }];
    await migrate(handle.db, null, modules);
    fs.writeFileSync(path.join(dir, "0002_more.sql"), "insert into plug_race (id) values (1);");
    // Both calls wait on the advisory lock; the second finds the file applied.
    const [a, b] = await Promise.all([
      migrate(handle.db, null, modules),
      migrate(handle.db, null, modules),
    ]);
    assert.equal(a.length + b.length, 1);
    const count = await sql<{ n: number }>`select count(*)::int as n from plug_race`.execute(
      handle.db,
    );
    assert.equal(count.rows[0]!.n, 1);
  });

  it("rolls a failing file back with the ones before it in the same run", async () => {
    const dir = folder({
      "0001_ok.sql": "create table plug_broken (id int);",
      "0002_bad.sql": "alter table no_such_table add column x int;",
    });
    dirs.push(dir);
    await assert.rejects(migrate(handle.db, null, [{ module: "broken", dir }]));
    const left = await handle.db
      .selectFrom("module_migrations")
      .select("version")
      .where("module", "=", "broken")
      .execute();
    assert.deepEqual(left, []);
  });
});
