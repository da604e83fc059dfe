// Runs an operator's command of bin/maillage.ts as its own process, with standard input.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freshDatabaseUrl } from "./databases.ts";
import { REPO_ROOT } from "./processes.ts";
import { REDIS_URL } from "./env.ts";

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A child's environment: the given one plus the PATH, to find programs (pg_dump) as a shell would. */
export function childEnv(env: Record<string, string>): Record<string, string> {
  // eslint-disable-next-line no-restricted-properties
  return { PATH: process.env.PATH ?? "", ...env };
}

export function maillage(
  args: string[],
  env: Record<string, string>,
  stdin?: string,
): Promise<CommandResult> {
  const child = spawn(process.execPath, [path.join(REPO_ROOT, "bin/maillage.ts"), ...args], {
    cwd: REPO_ROOT,
    env: childEnv({ LOG_LEVEL: "silent", ...env }),
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdin.end(stdin ?? "");
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, stdout, stderr })));
}

/** The environment of an instance of its own: a data folder, and a fresh database on PostgreSQL. */
export async function operatorEnv(): Promise<Record<string, string>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "maillage-op-"));
  const databaseUrl = await freshDatabaseUrl();
  return {
    DATA_DIR: dataDir,
    REDIS_PREFIX: `op${path.basename(dataDir).slice(-6).toLowerCase()}`,
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(REDIS_URL ? { REDIS_URL } : {}),
  };
}
