// Restores a backup (ADR 0091) into the configured database and DATA_DIR, then checks that every
// table has the rows the manifest counted and every file is back. The instance must be stopped
// (embedded: its lock is taken here; PostgreSQL: the operator stops the processes).
import { spawn } from "node:child_process";
import fs from "node:fs";
import fsp from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { StringDecoder } from "node:string_decoder";
import { pipeline } from "node:stream/promises";
import { sql } from "kysely";
import type { Config } from "../config.ts";
import { openDatabase } from "../db/database.ts";
import { acquireDataDirLock } from "../db/data-dir-lock.ts";
import { loadPgliteExtensions } from "../db/database.ts";
import { readManifest, type BackupManifest } from "./backup-files.ts";
import { pgProgram, tableRows } from "./backup.ts";

export class RestoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RestoreError";
  }
}

export interface RestoreReport {
  manifest: BackupManifest;
  /** Tables whose row count differs from the manifest's: empty when the restore is whole. */
  mismatches: { table: string; expected: number; found: number | undefined }[];
  missingFiles: string[];
}

type RestoreConfig = Pick<Config, "databaseUrl" | "dataDir">;

const EMPTY_SEARCH_PATH = "SELECT pg_catalog.set_config('search_path', '', false);";

/** Replaces the dump's whole lines that empty search_path; everything else passes as it is. */
function publicSearchPath(): Transform {
  let rest = "";
  // A character may straddle two chunks: decode across them.
  const decoder = new StringDecoder("utf8");
  const fix = (line: string) =>
    line === EMPTY_SEARCH_PATH
      ? "SELECT pg_catalog.set_config('search_path', 'public', false);"
      : line;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (rest + decoder.write(chunk)).split("\n");
      rest = lines.pop() ?? "";
      done(null, lines.map((l) => fix(l) + "\n").join(""));
    },
    flush(done) {
      done(null, fix(rest + decoder.end()));
    },
  });
}

async function restorePostgres(config: RestoreConfig, dump: string, replace: boolean) {
  const handle = await openDatabase(config, { poolSize: 1 });
  try {
    const existing = await sql<{ n: number | string }>`
      select count(*) as n from information_schema.tables where table_schema = 'public'`.execute(
      handle.db,
    );
    if (Number(existing.rows[0]?.n ?? 0) > 0 && !replace)
      throw new RestoreError(
        "the database is not empty; stop every Maillage process and pass --replace to overwrite it",
      );
  } finally {
    await handle.close();
  }
  // pg_restore empties search_path, and earthdistance's ll_to_earth (in the offers' geographic
  // index) names its type without a schema, so the index cannot be rebuilt that way. The dump is
  // turned into SQL and given search_path=public instead, the only change made to it.
  const script = spawn(
    pgProgram("pg_restore"),
    [
      "--no-owner",
      "--no-privileges",
      ...(replace ? ["--clean", "--if-exists"] : []),
      "--file=-",
      dump,
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const psql = spawn(
    pgProgram("psql"),
    [
      "--quiet",
      "--no-psqlrc",
      "--set=ON_ERROR_STOP=1",
      "--single-transaction",
      `--dbname=${config.databaseUrl!}`,
    ],
    { stdio: ["pipe", "ignore", "pipe"] },
  );
  const errors: string[] = [];
  script.stderr.on("data", (c: Buffer) => errors.push(c.toString()));
  psql.stderr.on("data", (c: Buffer) => errors.push(c.toString()));
  const exited = (child: ReturnType<typeof spawn>) =>
    new Promise<number | null>((resolve) => child.once("close", resolve));
  const [, restoreCode, psqlCode] = await Promise.all([
    pipeline(script.stdout, publicSearchPath(), psql.stdin),
    exited(script),
    exited(psql),
  ]);
  if (restoreCode !== 0 || psqlCode !== 0)
    throw new RestoreError(`the database restore failed: ${errors.join("").trim()}`);
}

async function restorePglite(config: RestoreConfig, archive: string, replace: boolean) {
  const release = acquireDataDirLock(config.dataDir);
  try {
    const target = path.join(config.dataDir, "pglite");
    const used = fs.existsSync(target) && fs.readdirSync(target).length > 0;
    if (used && !replace)
      throw new RestoreError(`${target} already holds a database; pass --replace to set it aside`);
    // Never delete: the current database is kept beside, for the operator to remove.
    if (used) await fsp.rename(target, `${target}.before-restore-${Date.now()}`);
    await fsp.mkdir(target, { recursive: true });
    const { PGlite } = await import("@electric-sql/pglite");
    const data = new Blob([await fsp.readFile(archive)]);
    const pglite = await PGlite.create({
      dataDir: target,
      loadDataDir: data,
      extensions: await loadPgliteExtensions(),
    });
    await pglite.query("checkpoint");
    await pglite.close();
  } finally {
    release();
  }
}

async function restoreUploads(config: RestoreConfig, from: string, replace: boolean) {
  if (!fs.existsSync(from)) return;
  const target = path.join(config.dataDir, "uploads");
  if (fs.existsSync(target)) {
    if (!replace) throw new RestoreError(`${target} exists; pass --replace to set it aside`);
    await fsp.rename(target, `${target}.before-restore-${Date.now()}`);
  }
  await fsp.cp(from, target, { recursive: true });
}

export async function restoreBackup(
  config: RestoreConfig,
  backupPath: string,
  options: { replace?: boolean } = {},
): Promise<RestoreReport> {
  const replace = options.replace ?? false;
  const manifest = await readManifest(backupPath).catch((error: unknown) => {
    throw new RestoreError(
      `${backupPath} is not a Maillage backup (${error instanceof Error ? error.message : String(error)})`,
    );
  });
  const kind = config.databaseUrl ? "postgres" : "pglite";
  if (manifest.database !== kind)
    throw new RestoreError(
      `this backup holds a ${manifest.database} database and this instance uses ${kind}`,
    );
  if (kind === "postgres")
    await restorePostgres(config, path.join(backupPath, "database.dump"), replace);
  else await restorePglite(config, path.join(backupPath, "pglite.tar.gz"), replace);
  await restoreUploads(config, path.join(backupPath, "uploads"), replace);
  return verifyRestore(config, manifest);
}

export async function verifyRestore(
  config: RestoreConfig,
  manifest: BackupManifest,
): Promise<RestoreReport> {
  const handle = await openDatabase(config, { poolSize: 1 });
  let found: Record<string, number>;
  try {
    found = await tableRows(handle.db);
  } finally {
    await handle.close();
  }
  const mismatches = Object.entries(manifest.rows)
    .filter(([table, expected]) => found[table] !== expected)
    .map(([table, expected]) => ({ table, expected, found: found[table] }));
  const uploads = path.join(config.dataDir, "uploads");
  const missingFiles = manifest.files.filter((f) => !fs.existsSync(path.join(uploads, f)));
  return { manifest, mismatches, missingFiles };
}
