// The layout of BACKUP_DIR: one folder per backup, maillage-<UTC time>, holding manifest.json,
// the database (database.dump from pg_dump, or pglite.tar.gz) and uploads/. A backup is written
// under a .partial name and renamed when complete, so a listed backup is always whole.
import fs from "node:fs/promises";
import path from "node:path";

export interface BackupManifest {
  format: 1;
  createdAt: Date;
  database: "postgres" | "pglite";
  /** The newest migration applied when it was taken. */
  schemaVersion: number;
  /** Rows per table when it was taken; a restore is checked against them. */
  rows: Record<string, number>;
  /** Files under uploads/, relative paths. */
  files: string[];
}

export const BACKUP_PREFIX = "maillage-";

export function backupName(date: Date): string {
  return `${BACKUP_PREFIX}${date
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}`;
}

export async function readManifest(dir: string): Promise<BackupManifest> {
  const raw = JSON.parse(await fs.readFile(path.join(dir, "manifest.json"), "utf8")) as Omit<
    BackupManifest,
    "createdAt"
  > & { createdAt: string };
  if (raw.format !== 1) throw new Error(`${dir}: unknown backup format ${String(raw.format)}`);
  return { ...raw, createdAt: new Date(raw.createdAt) };
}

/** Complete backups, newest first. */
export async function listBackups(
  backupDir: string,
): Promise<(BackupManifest & { name: string; path: string })[]> {
  let names: string[];
  try {
    names = await fs.readdir(backupDir);
  } catch {
    return [];
  }
  const backups = [];
  for (const name of names.filter((n) => n.startsWith(BACKUP_PREFIX) && !n.endsWith(".partial"))) {
    const full = path.join(backupDir, name);
    try {
      backups.push({ ...(await readManifest(full)), name, path: full });
    } catch {
      // Not a backup of ours, or damaged: listed by nobody, removed by nobody.
    }
  }
  return backups.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
}

export async function latestBackup(
  backupDir: string,
): Promise<(BackupManifest & { name: string }) | undefined> {
  return (await listBackups(backupDir))[0];
}
