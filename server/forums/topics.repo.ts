import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { UUID } from "./groups.repo.ts";

export interface Topic {
  id: string;
  groupId: string;
  title: string;
  context: string | null;
  authorId: string | null;
  authorName: string;
  postCount: number;
  lastPostAt: Date;
  pinnedAt: Date | null;
  lockedAt: Date | null;
  removedAt: Date | null;
  createdAt: Date;
}

export interface TopicListItem extends Topic {
  excerpt: string;
  /** Null when never opened by the viewer (or anonymous). */
  lastReadPosition: number | null;
  unread: number;
}

export const topicColumns = [
  "t.id",
  "t.group_id",
  "t.title",
  "t.context",
  "t.author_id",
  "t.author_name",
  "t.post_count",
  "t.last_post_at",
  "t.pinned_at",
  "t.locked_at",
  "t.removed_at",
  "t.created_at",
] as const;

export type TopicRow = {
  id: string;
  group_id: string;
  title: string;
  context: string | null;
  author_id: string | null;
  author_name: string | null;
  display_name: string | null;
  post_count: number;
  last_post_at: Date;
  pinned_at: Date | null;
  locked_at: Date | null;
  removed_at: Date | null;
  created_at: Date;
};

export function toTopic(r: TopicRow): Topic {
  return {
    id: r.id,
    groupId: r.group_id,
    title: r.title,
    context: r.context,
    authorId: r.author_id,
    authorName: r.display_name ?? r.author_name ?? "?",
    postCount: r.post_count,
    lastPostAt: r.last_post_at,
    pinnedAt: r.pinned_at,
    lockedAt: r.locked_at,
    removedAt: r.removed_at,
    createdAt: r.created_at,
  };
}

export async function insertTopic(
  db: Db,
  topic: { groupId: string; title: string; authorId: string },
): Promise<string> {
  const row = await db
    .insertInto("forum_topics")
    .values({ group_id: topic.groupId, title: topic.title, author_id: topic.authorId })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findTopic(db: Db, id: string): Promise<Topic | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db
    .selectFrom("forum_topics as t")
    .leftJoin("users as u", "u.id", "t.author_id")
    .select(topicColumns)
    .select("u.display_name")
    .where("t.id", "=", id)
    .executeTakeFirst();
  return row ? toTopic(row) : undefined;
}

/** Takes the next post position of a topic, holding the topic row until the transaction ends. */
export async function nextPosition(db: Db, topicId: string): Promise<number> {
  const row = await db
    .updateTable("forum_topics")
    .set((eb) => ({ post_count: eb("post_count", "+", 1), last_post_at: new Date() }))
    .where("id", "=", topicId)
    .returning("post_count")
    .executeTakeFirstOrThrow();
  return row.post_count;
}

export async function listTopics(
  db: Db,
  groupId: string,
  options: { limit: number; offset: number; userId?: string; withRemoved: boolean },
): Promise<{ items: TopicListItem[]; total: number }> {
  let base = db.selectFrom("forum_topics as t").where("t.group_id", "=", groupId);
  if (!options.withRemoved) base = base.where("t.removed_at", "is", null);
  const total = await base
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const userId = options.userId ?? "00000000-0000-0000-0000-000000000000";
  const rows = await base
    .leftJoin("users as u", "u.id", "t.author_id")
    .leftJoin("forum_reads as r", (join) =>
      join.onRef("r.topic_id", "=", "t.id").on("r.user_id", "=", userId),
    )
    .leftJoin("forum_posts as p", (join) =>
      join.onRef("p.topic_id", "=", "t.id").on("p.position", "=", 1),
    )
    .select(topicColumns)
    .select(["u.display_name", "r.last_read_position", "p.text_plain"])
    .orderBy(sql`t.pinned_at is null`)
    .orderBy("t.pinned_at", "desc")
    .orderBy("t.last_post_at", "desc")
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      ...toTopic(r),
      excerpt: r.text_plain ?? "",
      lastReadPosition: options.userId ? r.last_read_position : null,
      unread: options.userId ? r.post_count - (r.last_read_position ?? 0) : 0,
    })),
  };
}

export async function setTopicFlags(
  db: Db,
  topicId: string,
  flags: {
    pinnedAt?: Date | null;
    lockedAt?: Date | null;
    removedAt?: Date | null;
    groupId?: string;
  },
): Promise<void> {
  await db
    .updateTable("forum_topics")
    .set({
      ...(flags.pinnedAt !== undefined ? { pinned_at: flags.pinnedAt } : {}),
      ...(flags.lockedAt !== undefined ? { locked_at: flags.lockedAt } : {}),
      ...(flags.removedAt !== undefined ? { removed_at: flags.removedAt } : {}),
      ...(flags.groupId !== undefined ? { group_id: flags.groupId } : {}),
    })
    .where("id", "=", topicId)
    .execute();
  if (flags.groupId !== undefined) {
    await db
      .updateTable("forum_posts")
      .set({ group_id: flags.groupId })
      .where("topic_id", "=", topicId)
      .execute();
  }
}

export async function setTopicTitle(db: Db, topicId: string, title: string): Promise<void> {
  await db.updateTable("forum_topics").set({ title }).where("id", "=", topicId).execute();
}

export async function refreshTopicCount(db: Db, groupId: string): Promise<void> {
  await db
    .updateTable("forum_groups")
    .set((eb) => ({
      topic_count: eb
        .selectFrom("forum_topics")
        .select((e) => e.fn.countAll<number>().as("n"))
        .where("group_id", "=", groupId)
        .where("removed_at", "is", null),
    }))
    .where("id", "=", groupId)
    .execute();
}

export async function markRead(
  db: Db,
  userId: string,
  topicId: string,
  position: number,
): Promise<void> {
  await db
    .insertInto("forum_reads")
    .values({ user_id: userId, topic_id: topicId, last_read_position: position })
    .onConflict((oc) =>
      oc.columns(["user_id", "topic_id"]).doUpdateSet({
        last_read_position: sql<number>`greatest(forum_reads.last_read_position, excluded.last_read_position)`,
        read_at: new Date(),
      }),
    )
    .execute();
}

export async function lastReadPosition(
  db: Db,
  userId: string,
  topicId: string,
): Promise<number | null> {
  const row = await db
    .selectFrom("forum_reads")
    .select("last_read_position")
    .where("user_id", "=", userId)
    .where("topic_id", "=", topicId)
    .executeTakeFirst();
  return row?.last_read_position ?? null;
}
