// Backups (ADR 0091): the database — pg_dump's custom format, or the embedded PGlite's data
// folder copied from inside the process that owns it — plus the files under DATA_DIR/uploads and a
// manifest with the rows of every table, so that a restore can be checked.
import { execFile } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "kysely";
import type { Config } from "../config.ts";
import { driverOf, type Db } from "../db/database.ts";
import { backupName, listBackups, type BackupManifest } from "./backup-files.ts";

const run = promisify(execFile);

export interface BackupSource {
  config: Pick<Config, "databaseUrl" | "dataDir" | "backup">;
  db: Db;
  dbKind: "postgres" | "pglite";
}

/**
 * A PostgreSQL client program: Debian installs one folder per major version under
 * /usr/lib/postgresql and puts no pg_dump on the PATH without postgresql-client-common; the newest
 * dumps every older server.
 */
export function pgProgram(name: "pg_dump" | "pg_restore" | "psql"): string {
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && fs.existsSync(path.join(root, v, "bin", name)))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  return versions[0] ? path.join(root, versions[0], "bin", name) : name;
}

export async function tableRows(db: Db): Promise<Record<string, number>> {
  const tables = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`.execute(db);
  const rows: Record<string, number> = {};
  for (const { name } of tables.rows) {
    const count = await sql<{
      n: number | string;
    }>`select count(*) as n from ${sql.table(name)}`.execute(db);
    rows[name] = Number(count.rows[0]?.n ?? 0);
  }
  return rows;
}

export async function schemaVersion(db: Db): Promise<number> {
  const row = await sql<{
    v: number | null;
  }>`select max(version) as v from schema_migrations`.execute(db);
  return Number(row.rows[0]?.v ?? 0);
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  let entries: fs.Dirent[];
  try {
    entries = await fsp.readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await listFiles(full, base)));
    else if (entry.isFile()) files.push(path.relative(base, full));
  }
  return files.sort();
}

async function dumpDatabase(source: BackupSource, into: string): Promise<void> {
  if (source.dbKind === "postgres") {
    await run(pgProgram("pg_dump"), [
      "--format=custom",
      "--no-owner",
      "--no-privileges",
      `--file=${path.join(into, "database.dump")}`,
      source.config.databaseUrl!,
    ]);
    return;
  }
  const pglite = driverOf(source.db).pglite;
  if (!pglite) throw new Error("the embedded database is not open in this process");
  // The copy is taken between two statements (PGlite runs one at a time): what it holds is what a
  // crash at that instant would leave, which PostgreSQL recovers to the last commit. The
  // checkpoint first makes that recovery short.
  await sql`checkpoint`.execute(source.db);
  const archive = await pglite.dumpDataDir("gzip");
  await fsp.writeFile(path.join(into, "pglite.tar.gz"), Buffer.from(await archive.arrayBuffer()));
}

/** Takes a backup into BACKUP_DIR, then keeps only the newest BACKUP_KEEP. */
export async function takeBackup(
  source: BackupSource,
  now = new Date(),
): Promise<{ path: string; manifest: BackupManifest }> {
  const dir = source.config.backup.dir;
  await fsp.mkdir(dir, { recursive: true });
  const final = path.join(dir, backupName(now));
  const partial = `${final}.partial`;
  await fsp.rm(partial, { recursive: true, force: true });
  await fsp.mkdir(partial);
  try {
    const rows = await tableRows(source.db);
    const version = await schemaVersion(source.db);
    await dumpDatabase(source, partial);
    const uploads = path.join(source.config.dataDir, "uploads");
    const files = await listFiles(uploads);
    if (files.length > 0) await fsp.cp(uploads, path.join(partial, "uploads"), { recursive: true });
    const manifest: BackupManifest = {
      format: 1,
      createdAt: now,
      database: source.dbKind,
      schemaVersion: version,
      rows,
      files,
    };
    await fsp.writeFile(path.join(partial, "manifest.json"), JSON.stringify(manifest, null, 2));
    await fsp.rename(partial, final);
    await rotate(dir, source.config.backup.keep);
    return { path: final, manifest };
  } catch (error) {
    await fsp.rm(partial, { recursive: true, force: true });
    throw error;
  }
}

export async function rotate(dir: string, keep: number): Promise<string[]> {
  const removed = (await listBackups(dir)).slice(keep);
  for (const old of removed) await fsp.rm(old.path, { recursive: true, force: true });
  return removed.map((b) => b.name);
}

/** The scheduled job runs hourly and takes a backup when the newest is BACKUP_EVERY_HOURS old. */
export async function scheduledBackup(source: BackupSource): Promise<string | undefined> {
  const every = source.config.backup.everyHours;
  if (every === 0) return undefined;
  const newest = (await listBackups(source.config.backup.dir))[0];
  if (newest && Date.now() - newest.createdAt.getTime() < every * 3600_000 - 60_000)
    return undefined;
  return (await takeBackup(source)).path;
}
