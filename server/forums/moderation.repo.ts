import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { User } from "../accounts/accounts.repo.ts";
import type { ModerationAction, ReportStatus } from "./forums.tables.ts";
import { isInstanceModerator, readableBy, UUID } from "./groups.repo.ts";

export interface Ban {
  id: string;
  userId: string | null;
  reason: string;
  expiresAt: Date | null;
  createdAt: Date;
}

export async function activeBan(db: Db, groupId: string, userId: string): Promise<Ban | undefined> {
  const row = await db
    .selectFrom("forum_bans")
    .select(["id", "user_id", "reason", "expires_at", "created_at"])
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .where("lifted_at", "is", null)
    .where((eb) => eb.or([eb("expires_at", "is", null), eb("expires_at", ">", sql<Date>`now()`)]))
    .orderBy("expires_at", (ob) => ob.desc().nullsFirst())
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        userId: row.user_id,
        reason: row.reason,
        expiresAt: row.expires_at,
        createdAt: row.created_at,
      }
    : undefined;
}

export async function insertBan(
  db: Db,
  ban: {
    groupId: string;
    userId: string;
    reason: string;
    bannedBy: string;
    expiresAt: Date | null;
  },
): Promise<string> {
  const row = await db
    .insertInto("forum_bans")
    .values({
      group_id: ban.groupId,
      user_id: ban.userId,
      reason: ban.reason,
      banned_by: ban.bannedBy,
      expires_at: ban.expiresAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function liftBans(db: Db, groupId: string, userId: string): Promise<number> {
  const result = await db
    .updateTable("forum_bans")
    .set({ lifted_at: new Date() })
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .where("lifted_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

export interface BanListItem extends Ban {
  username: string;
  displayName: string;
}

export async function listActiveBans(db: Db, groupId: string): Promise<BanListItem[]> {
  const rows = await db
    .selectFrom("forum_bans as b")
    .innerJoin("users as u", "u.id", "b.user_id")
    .select(["b.id", "b.user_id", "b.reason", "b.expires_at", "b.created_at", "u.username"])
    .select("u.display_name")
    .where("b.group_id", "=", groupId)
    .where("b.lifted_at", "is", null)
    .where((eb) =>
      eb.or([eb("b.expires_at", "is", null), eb("b.expires_at", ">", sql<Date>`now()`)]),
    )
    .orderBy("b.created_at", "desc")
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    reason: r.reason,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    username: r.username,
    displayName: r.display_name,
  }));
}

export interface LogEntry {
  id: string;
  action: ModerationAction;
  topicId: string | null;
  postId: string | null;
  topicTitle: string | null;
  targetName: string | null;
  reason: string;
  details: Record<string, string | number | null>;
  createdAt: Date;
}

export async function insertLog(
  db: Db,
  entry: {
    groupId: string;
    action: ModerationAction;
    moderatorId: string | null;
    topicId?: string | null;
    postId?: string | null;
    topicTitle?: string | null;
    targetName?: string | null;
    targetUserId?: string | null;
    reason: string;
    details?: Record<string, string | number | null>;
  },
): Promise<void> {
  await db
    .insertInto("forum_moderation_log")
    .values({
      group_id: entry.groupId,
      action: entry.action,
      moderator_id: entry.moderatorId,
      topic_id: entry.topicId ?? null,
      post_id: entry.postId ?? null,
      topic_title: entry.topicTitle ?? null,
      target_name: entry.targetName ?? null,
      target_user_id: entry.targetUserId ?? null,
      reason: entry.reason,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

export async function listLog(
  db: Db,
  groupId: string,
  options: { limit: number; offset: number },
): Promise<{ items: LogEntry[]; total: number }> {
  const total = await db
    .selectFrom("forum_moderation_log")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("group_id", "=", groupId)
    .executeTakeFirstOrThrow();
  const rows = await db
    .selectFrom("forum_moderation_log")
    .selectAll()
    .where("group_id", "=", groupId)
    .orderBy("created_at", "desc")
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      id: r.id,
      action: r.action,
      topicId: r.topic_id,
      postId: r.post_id,
      topicTitle: r.topic_title,
      targetName: r.target_name,
      reason: r.reason,
      details: r.details,
      createdAt: r.created_at,
    })),
  };
}

export interface Report {
  id: string;
  groupId: string;
  groupSlug: string;
  groupName: string;
  postId: string;
  topicId: string;
  topicTitle: string;
  position: number;
  postRemoved: boolean;
  reporterName: string | null;
  reason: string;
  contentSnapshot: string;
  status: ReportStatus;
  createdAt: Date;
}

export async function insertReport(
  db: Db,
  report: { groupId: string; postId: string; reporterId: string; reason: string; snapshot: string },
): Promise<string | undefined> {
  const row = await db
    .insertInto("forum_reports")
    .values({
      group_id: report.groupId,
      post_id: report.postId,
      reporter_id: report.reporterId,
      reason: report.reason,
      content_snapshot: report.snapshot,
    })
    .onConflict((oc) =>
      oc
        .columns(["post_id", "reporter_id"])
        .where("status", "=", "open")
        .where("reporter_id", "is not", null)
        .doNothing(),
    )
    .returning("id")
    .executeTakeFirst();
  return row?.id;
}

/** Open reports of one group, or of every group the moderator may read (instance queue). */
export async function listOpenReports(
  db: Db,
  scope: { groupId: string } | { instance: User },
  options: { limit: number; offset: number },
): Promise<{ items: Report[]; total: number }> {
  let base = db
    .selectFrom("forum_reports as r")
    .innerJoin("forum_groups as g", "g.id", "r.group_id")
    .innerJoin("forum_posts as p", "p.id", "r.post_id")
    .innerJoin("forum_topics as t", "t.id", "p.topic_id")
    .leftJoin("users as u", "u.id", "r.reporter_id")
    .where("r.status", "=", "open");
  base =
    "groupId" in scope
      ? base.where("r.group_id", "=", scope.groupId)
      : isInstanceModerator(scope.instance)
        ? base.where(readableBy(scope.instance))
        : base.where(sql<boolean>`false`);
  const total = await base
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const rows = await base
    .select([
      "r.id",
      "r.group_id",
      "g.slug",
      "g.name",
      "r.post_id",
      "p.topic_id",
      "t.title",
      "p.position",
      "p.removed_at",
      "u.display_name",
      "r.reason",
      "r.content_snapshot",
      "r.status",
      "r.created_at",
    ])
    .orderBy("r.created_at")
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      id: r.id,
      groupId: r.group_id,
      groupSlug: r.slug,
      groupName: r.name,
      postId: r.post_id,
      topicId: r.topic_id,
      topicTitle: r.title,
      position: r.position,
      postRemoved: r.removed_at !== null,
      reporterName: r.display_name,
      reason: r.reason,
      contentSnapshot: r.content_snapshot,
      status: r.status,
      createdAt: r.created_at,
    })),
  };
}

export async function findReport(
  db: Db,
  id: string,
): Promise<{ id: string; groupId: string; postId: string; status: ReportStatus } | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db
    .selectFrom("forum_reports")
    .select(["id", "group_id", "post_id", "status"])
    .where("id", "=", id)
    .executeTakeFirst();
  return row
    ? { id: row.id, groupId: row.group_id, postId: row.post_id, status: row.status }
    : undefined;
}

/** Closes the open reports about a post (when it is removed) or one report (dismissed). */
export async function closeReports(
  db: Db,
  where: { postId: string } | { reportId: string },
  status: "resolved" | "dismissed",
  by: string,
  note: string,
): Promise<number> {
  let query = db
    .updateTable("forum_reports")
    .set({ status, resolved_by: by, resolution_note: note, resolved_at: new Date() })
    .where("status", "=", "open");
  query =
    "postId" in where
      ? query.where("post_id", "=", where.postId)
      : query.where("id", "=", where.reportId);
  return Number((await query.executeTakeFirst()).numUpdatedRows);
}
