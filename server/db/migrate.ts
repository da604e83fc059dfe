// Forward-only migrations: numbered SQL files, each applied once, in order, inside one
// transaction guarded by an advisory lock so that concurrent starts never apply one twice.
import fs from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "kysely";
import type { Db } from "./database.ts";

export const MIGRATIONS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../migrations",
);
const LOCK_KEY = 7_241_002; // arbitrary, constant for every Maillage process

export interface Migration {
  version: number;
  name: string;
  file: string;
}

export async function listMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => /^\d{4}_[a-z0-9_]+\.sql$/.test(f));
  const migrations = files.map((file) => ({
    version: Number.parseInt(file.slice(0, 4), 10),
    name: file.slice(5, -4),
    file: path.join(dir, file),
  }));
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]!.version === migrations[i - 1]!.version) {
      throw new Error(`two migrations share number ${migrations[i]!.version}`);
    }
  }
  return migrations;
}

async function ensureTable(db: Db): Promise<void> {
  await sql`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`.execute(db);
}

export async function appliedVersions(db: Db): Promise<Set<number>> {
  await ensureTable(db);
  const rows = await db.selectFrom("schema_migrations").select("version").execute();
  return new Set(rows.map((r) => r.version));
}

export async function pendingMigrations(db: Db, dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const applied = await appliedVersions(db);
  return (await listMigrations(dir)).filter((m) => !applied.has(m.version));
}

/** The database was migrated by a newer Maillage: running older code on it could damage it. */
export class DatabaseNewerError extends Error {
  constructor(unknown: number[], newest: number) {
    super(
      `The database has migration ${unknown.map((v) => String(v).padStart(4, "0")).join(", ")}, ` +
        `which this version of Maillage does not know (its newest is ${String(newest).padStart(4, "0")}): ` +
        "it was upgraded by a newer version. Run that version, or restore a backup taken before the upgrade.",
    );
    this.name = "DatabaseNewerError";
  }
}

/** Applies pending migrations; returns the ones this call applied. */
export async function migrate(db: Db, dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const all = await listMigrations(dir);
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
    await ensureTable(tx);
    const applied = new Set(
      (await tx.selectFrom("schema_migrations").select("version").execute()).map((r) => r.version),
    );
    const newest = Math.max(0, ...all.map((m) => m.version));
    const unknown = [...applied].filter((v) => v > newest).sort((a, b) => a - b);
    if (unknown.length > 0) throw new DatabaseNewerError(unknown, newest);
    const done: Migration[] = [];
    for (const migration of all) {
      if (applied.has(migration.version)) continue;
      const text = await fs.readFile(migration.file, "utf8");
      await sql.raw(text).execute(tx);
      await tx
        .insertInto("schema_migrations")
        .values({ version: migration.version, name: migration.name })
        .execute();
      done.push(migration);
    }
    return done;
  });
}
