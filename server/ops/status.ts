// The essentials of running an instance, for the admin dashboard and the metrics: how late the
// queue is, which peers fail, how much room uploaded images take, when the last backup was taken.
import fs from "node:fs/promises";
import path from "node:path";
import { sql } from "kysely";
import type { AppContext } from "../context.ts";
import type { FederationPorts } from "../ports.ts";
import type { PeerDeliveries } from "./ops.port.ts";
import { latestBackup, type BackupManifest } from "./backup-files.ts";

export interface OperationsStatus {
  /** Age of the oldest job that could run and waits; undefined when the queue does not answer. */
  queueLagSeconds: number | undefined;
  failingPeers: PeerDeliveries[];
  /** Images stored in the database plus files under DATA_DIR/uploads. */
  uploadsBytes: number;
  lastBackup: (BackupManifest & { name: string }) | undefined;
}

async function databaseQueueLag(ctx: AppContext): Promise<number> {
  const row = await ctx.db
    .selectFrom("jobs")
    .select(sql<Date | null>`min(run_at)`.as("oldest"))
    .where("status", "=", "pending")
    .where("run_at", "<=", sql<Date>`now()`)
    .executeTakeFirst();
  return row?.oldest ? Math.max(0, (Date.now() - new Date(row.oldest).getTime()) / 1000) : 0;
}

// BullMQ pushes new jobs on the left of the wait list and workers take from the right: the
// rightmost is the oldest waiting.
async function bullQueueLag(ctx: AppContext): Promise<number | undefined> {
  if (!ctx.redis) return undefined;
  const prefix = `${ctx.config.redisPrefix}:jobs`;
  const id = await ctx.redis.lindex(`${prefix}:wait`, -1);
  if (id === null) return 0;
  const [timestamp, delay] = await ctx.redis.hmget(`${prefix}:${id}`, "timestamp", "delay");
  if (timestamp === null) return 0;
  const due = Number(timestamp) + Number(delay ?? 0);
  return Math.max(0, (Date.now() - due) / 1000);
}

export async function queueLagSeconds(ctx: AppContext): Promise<number | undefined> {
  try {
    return ctx.queue.kind === "database" ? await databaseQueueLag(ctx) : await bullQueueLag(ctx);
  } catch {
    return undefined;
  }
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) total += await directorySize(full);
    else if (entry.isFile()) total += (await fs.stat(full)).size;
  }
  return total;
}

export function uploadsDir(ctx: Pick<AppContext, "config">): string {
  return path.join(ctx.config.dataDir, "uploads");
}

export async function uploadsBytes(ctx: AppContext): Promise<number> {
  const result = await sql<{ bytes: number | string | null }>`
    select coalesce((select sum(octet_length(data)) from offer_images), 0)
         + coalesce((select sum(octet_length(data)) from forum_attachments where data is not null), 0)
         + coalesce((select sum(octet_length(logo)) from instance_settings), 0) as bytes`.execute(
    ctx.db,
  );
  const inDatabase = Number(result.rows[0]?.bytes ?? 0);
  return inDatabase + (await directorySize(uploadsDir(ctx)));
}

/** `cheap` skips what costs a scan of the image tables (metrics are scraped often). */
export async function operationsStatus(
  ctx: AppContext,
  options: { cheap?: boolean } = {},
): Promise<OperationsStatus> {
  const ops = (ctx.ports as Partial<FederationPorts>).ops;
  const [lag, peers, bytes, lastBackup] = await Promise.all([
    queueLagSeconds(ctx),
    options.cheap ? Promise.resolve([]) : (ops?.deliveriesByHost().catch(() => []) ?? []),
    options.cheap ? Promise.resolve(0) : uploadsBytes(ctx),
    latestBackup(ctx.config.backup.dir),
  ]);
  return {
    queueLagSeconds: lag,
    failingPeers: peers.filter((p) => p.failing + p.dead > 0),
    uploadsBytes: bytes,
    lastBackup,
  };
}
