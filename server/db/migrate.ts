// Forward-only migrations: numbered SQL files, each applied once, in order, inside one
// transaction guarded by an advisory lock so that concurrent starts never apply one twice.
// The core's files (migrations/) are recorded in `schema_migrations`; a module or plugin that
// brings its own folder has its files numbered from 0001 and recorded per module in
// `module_migrations` (ADR 0061), under the same lock.
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

/** A module's migrations: its name (the namespace they are recorded under) and its folder. */
export interface ModuleMigrations {
  module: string;
  dir: string;
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
      throw new Error(`two migrations share number ${migrations[i]!.version} in ${dir}`);
    }
  }
  return migrations;
}

async function ensureTables(db: Db): Promise<void> {
  await sql`create table if not exists schema_migrations (
    version integer primary key,
    name text not null,
    applied_at timestamptz not null default now()
  )`.execute(db);
  await sql`create table if not exists module_migrations (
    module text not null,
    version integer not null,
    name text not null,
    applied_at timestamptz not null default now(),
    primary key (module, version)
  )`.execute(db);
}

async function applied(db: Db, module: string | undefined): Promise<Set<number>> {
  const rows = module
    ? await db
        .selectFrom("module_migrations")
        .select("version")
        .where("module", "=", module)
        .execute()
    : await db.selectFrom("schema_migrations").select("version").execute();
  return new Set(rows.map((r) => r.version));
}

export async function appliedVersions(db: Db, module?: string): Promise<Set<number>> {
  await ensureTables(db);
  return applied(db, module);
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

/** The core's pending migrations, then those of the given modules. */
export async function pendingMigrations(
  db: Db,
  dir = MIGRATIONS_DIR,
  modules: readonly ModuleMigrations[] = [],
): Promise<(Migration & { module?: string })[]> {
  await ensureTables(db);
  const pending: (Migration & { module?: string })[] = [];
  for (const source of [{ module: undefined, dir }, ...modules]) {
    const done = await applied(db, source.module);
    for (const m of await listMigrations(source.dir))
      if (!done.has(m.version)) pending.push(source.module ? { ...m, module: source.module } : m);
  }
  return pending;
}

/**
 * Applies the core's pending migrations (unless `dir` is null), then each module's, in one
 * transaction; returns the ones this call applied.
 */
export async function migrate(
  db: Db,
  dir: string | null = MIGRATIONS_DIR,
  modules: readonly ModuleMigrations[] = [],
): Promise<(Migration & { module?: string })[]> {
  const sources = [...(dir === null ? [] : [{ module: undefined, dir }]), ...modules];
  const lists = await Promise.all(sources.map((s) => listMigrations(s.dir)));
  return db.transaction().execute(async (tx) => {
    await sql`select pg_advisory_xact_lock(${LOCK_KEY})`.execute(tx);
    await ensureTables(tx);
    const done: (Migration & { module?: string })[] = [];
    for (const [i, { module }] of sources.entries()) {
      const already = await applied(tx, module);
      if (module === undefined) {
        const newest = Math.max(0, ...lists[i]!.map((m) => m.version));
        const unknown = [...already].filter((v) => v > newest).sort((x, y) => x - y);
        if (unknown.length > 0) throw new DatabaseNewerError(unknown, newest);
      }
      for (const migration of lists[i]!) {
        if (already.has(migration.version)) continue;
        await sql.raw(await fs.readFile(migration.file, "utf8")).execute(tx);
        if (module)
          await tx
            .insertInto("module_migrations")
            .values({ module, version: migration.version, name: migration.name })
            .execute();
        else
          await tx
            .insertInto("schema_migrations")
            .values({ version: migration.version, name: migration.name })
            .execute();
        done.push(module ? { ...migration, module } : migration);
      }
    }
    return done;
  });
}
