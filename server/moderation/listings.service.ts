// Moderation of listings, shared by the solidarity plugins (rides, services exchange, missions,
// housing) instead of four copies: a member reports a listing with a reason; a moderator removes
// it (or restores it) with a reason, which closes its reports, is told to the author, and is
// written in the plugin's public log.
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import "./moderation.tables.ts";

export const REASON_MIN = 3;
export const REASON_MAX = 1000;

export async function reportListing(
  db: Db,
  input: { module: string; listingId: string; reporterId: string; reason: string },
): Promise<Result<void, "reason_required">> {
  const reason = input.reason.trim().slice(0, REASON_MAX);
  if (reason.length < REASON_MIN) return fail("reason_required");
  await db
    .insertInto("listing_reports")
    .values({
      module: input.module,
      listing_id: input.listingId,
      reporter_id: input.reporterId,
      reason,
    })
    .execute();
  return ok(undefined);
}

export async function openReports(db: Db, module: string) {
  return db
    .selectFrom("listing_reports as r")
    .leftJoin("users as u", "u.id", "r.reporter_id")
    .select(["r.id", "r.listing_id", "r.reason", "r.created_at", "u.display_name as reporter"])
    .where("r.module", "=", module)
    .where("r.closed_at", "is", null)
    .orderBy("r.created_at")
    .limit(200)
    .execute();
}

/**
 * Records a moderator's decision on a listing the plugin has just removed or restored: the log
 * line, the reports closed, and the author told why (in-app).
 */
export async function recordDecision(
  tx: Tx,
  deps: { publicUrl: URL },
  input: {
    module: string;
    listingId: string;
    title: string;
    authorId: string | null;
    moderatorId: string;
    action: "remove" | "restore";
    reason: string;
    link: string;
  },
): Promise<Result<void, "reason_required">> {
  const reason = input.reason.trim().slice(0, REASON_MAX);
  if (reason.length < REASON_MIN) return fail("reason_required");
  await tx.db
    .insertInto("listing_moderation_log")
    .values({
      module: input.module,
      listing_id: input.listingId,
      listing_title: input.title,
      moderator_id: input.moderatorId,
      action: input.action,
      reason,
    })
    .execute();
  await tx.db
    .updateTable("listing_reports")
    .set({ closed_at: new Date() })
    .where("module", "=", input.module)
    .where("listing_id", "=", input.listingId)
    .where("closed_at", "is", null)
    .execute();
  if (input.authorId)
    await notify(tx, deps.publicUrl, {
      userId: input.authorId,
      kind: input.action === "remove" ? "moderation:listingRemoved" : "moderation:listingRestored",
      data: { title: input.title, reason },
      link: input.link,
    });
  return ok(undefined);
}

/** The plugin's public log: what was removed or restored, when and why (no moderator names). */
export async function publicLog(db: Db, module: string, limit = 100) {
  return db
    .selectFrom("listing_moderation_log")
    .select(["listing_id", "listing_title", "action", "reason", "created_at"])
    .where("module", "=", module)
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
}
