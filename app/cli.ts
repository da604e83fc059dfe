// The operators' commands (bin/maillage.ts dispatches): accounts, deliveries, backups and the
// configuration, for a server reached only by a shell. Each opens the instance's context — without
// serving or running jobs — and closes it.
import fs from "node:fs";
import path from "node:path";
import type { Config } from "../server/config.ts";
import { createContext, type AppContext } from "../server/context.ts";
import { DataDirBusyError } from "../server/db/data-dir-lock.ts";
import { takeBackup } from "../server/ops/backup.ts";
import { listBackups } from "../server/ops/backup-files.ts";
import { maskedConfig } from "../server/ops/config-view.ts";
import { createAdmin, generatePassword, setPassword } from "../server/ops/operators.ts";
import { RestoreError, restoreBackup } from "../server/ops/restore.ts";
import { jobSpecs } from "./assemble.ts";
import { federate } from "./instance.ts";
import { MODULES } from "./modules.ts";
import pino from "pino";

export interface Io {
  out(line: string): void;
  /** The first line of standard input (for --password-stdin). */
  readLine(): Promise<string>;
}

export class UsageError extends Error {}

/** Failures an operator fixes (usage, a busy DATA_DIR, a refused restore): one line, no stack. */
export function isOperatorError(error: unknown): error is Error {
  return (
    error instanceof UsageError ||
    error instanceof RestoreError ||
    error instanceof DataDirBusyError
  );
}

async function withContext<T>(config: Config, work: (ctx: AppContext) => Promise<T>): Promise<T> {
  const ctx = await createContext(config, {
    jobSpecs: jobSpecs(MODULES),
    logger: pino({ level: "warn" }),
  });
  const federation = await federate(ctx, MODULES);
  try {
    return await work(ctx);
  } finally {
    federation.stop();
    await ctx.close();
  }
}

async function password(args: string[], io: Io): Promise<{ value: string; generated: boolean }> {
  if (args.includes("--password-stdin"))
    return { value: (await io.readLine()).trim(), generated: false };
  return { value: generatePassword(), generated: true };
}

function email(args: string[], command: string): string {
  const value = args.find((a) => !a.startsWith("--"));
  if (!value || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value))
    throw new UsageError(`Usage: maillage ${command} EMAIL [--password-stdin]`);
  return value;
}

export async function createAdminCommand(config: Config, args: string[], io: Io) {
  const address = email(args, "create-admin");
  const pass = await password(args, io);
  const result = await withContext(config, (ctx) =>
    ctx.transaction((tx) => createAdmin(tx, address, pass.value)),
  );
  if (!result.ok) throw new UsageError("The password needs at least 10 characters.");
  io.out(
    result.value.created
      ? `Admin ${address} created (username ${result.value.user.username}).`
      : `${address} already had an account: it is now an admin, with the new password.`,
  );
  if (pass.generated) io.out(`Password: ${pass.value}`);
}

export async function resetPasswordCommand(config: Config, args: string[], io: Io) {
  const address = email(args, "reset-password");
  const pass = await password(args, io);
  const result = await withContext(config, async (ctx) => {
    const changed = await ctx.transaction((tx) => setPassword(tx, address, pass.value));
    if (changed.ok) await ctx.sessions.revokeUser(changed.value.id);
    return changed;
  });
  if (!result.ok)
    throw new UsageError(
      result.error === "unknown_email"
        ? `No account has the address ${address}.`
        : "The password needs at least 10 characters.",
    );
  io.out(`Password of ${address} replaced; its sessions are closed.`);
  if (pass.generated) io.out(`Password: ${pass.value}`);
}

export async function deliveriesCommand(config: Config, args: string[], io: Io) {
  await withContext(config, async (ctx) => {
    const hosts = (await ctx.ports.ops.deliveriesByHost()).filter((h) => h.failing + h.dead > 0);
    if (hosts.length === 0) {
      io.out("No failed delivery.");
      return;
    }
    io.out("host\tfailing\tdead\tlast error");
    for (const h of hosts) io.out(`${h.host}\t${h.failing}\t${h.dead}\t${h.lastError ?? ""}`);
    if (args.includes("--all")) {
      io.out("");
      io.out("id\thost\tactivity\tstatus\tattempts\tupdated\tlast error");
      for (const d of await ctx.ports.ops.failedDeliveries(1000))
        io.out(
          [
            d.id,
            d.host,
            d.activityType,
            d.status,
            d.attempts,
            d.updatedAt.toISOString(),
            d.lastError ?? "",
          ].join("\t"),
        );
    }
  });
}

export async function retryDeliveriesCommand(config: Config, args: string[], io: Io) {
  const host = args.find((a) => !a.startsWith("--"));
  const count = await withContext(config, (ctx) => ctx.ports.ops.retryDeliveries(host));
  io.out(
    `${count} ${count === 1 ? "delivery" : "deliveries"} queued again${host ? ` to ${host}` : ""}.`,
  );
}

/**
 * Embedded mode: a running instance holds the database, so it is asked (SIGUSR2) to copy it
 * itself, and the command waits for the new backup to appear.
 */
async function backupThroughRunningInstance(config: Config, pid: number, io: Io) {
  const asked = Date.now();
  process.kill(pid, "SIGUSR2");
  io.out(`The instance (pid ${pid}) is running: it takes the backup itself.`);
  for (let waited = 0; waited < 600_000; waited += 250) {
    const newest = (await listBackups(config.backup.dir))[0];
    if (newest && newest.createdAt.getTime() >= asked - 1000) {
      io.out(`Backup written to ${path.join(config.backup.dir, newest.name)}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error("the running instance did not write a backup within 10 minutes; see its log");
}

function lockHolder(config: Config): number | undefined {
  try {
    const pid = Number.parseInt(
      fs.readFileSync(path.join(config.dataDir, "maillage.lock"), "utf8"),
      10,
    );
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export async function backupCommand(config: Config, _args: string[], io: Io) {
  try {
    const { path: written, manifest } = await withContext(config, (ctx) => takeBackup(ctx));
    const rows = Object.values(manifest.rows).reduce((a, b) => a + b, 0);
    io.out(`Backup written to ${written} (${rows} rows, ${manifest.files.length} files).`);
  } catch (error) {
    const pid = error instanceof DataDirBusyError ? lockHolder(config) : undefined;
    if (pid === undefined) throw error;
    await backupThroughRunningInstance(config, pid, io);
  }
}

export async function restoreCommand(config: Config, args: string[], io: Io) {
  const from = args.find((a) => !a.startsWith("--"));
  if (!from) throw new UsageError("Usage: maillage restore BACKUP_FOLDER [--replace]");
  const report = await restoreBackup(config, path.resolve(from), {
    replace: args.includes("--replace"),
  });
  for (const m of report.mismatches)
    io.out(`Table ${m.table}: ${m.found ?? "missing"} rows, the backup had ${m.expected}.`);
  for (const f of report.missingFiles) io.out(`File missing: uploads/${f}`);
  if (report.mismatches.length > 0 || report.missingFiles.length > 0)
    throw new Error("the restore is incomplete (see above)");
  const rows = Object.values(report.manifest.rows).reduce((a, b) => a + b, 0);
  io.out(
    `Restored ${from}: ${rows} rows in ${Object.keys(report.manifest.rows).length} tables and ${report.manifest.files.length} files, all found.`,
  );
}

export function configCommand(config: Config, _args: string[], io: Io): Promise<void> {
  for (const [name, value] of maskedConfig(config)) io.out(`${name}=${value}`);
  return Promise.resolve();
}

export const COMMANDS: Record<string, (config: Config, args: string[], io: Io) => Promise<void>> = {
  "create-admin": createAdminCommand,
  "reset-password": resetPasswordCommand,
  deliveries: deliveriesCommand,
  "retry-deliveries": retryDeliveriesCommand,
  backup: backupCommand,
  restore: restoreCommand,
  config: configCommand,
};
