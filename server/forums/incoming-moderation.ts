// What a remote group's instance decides about the posts and topics we keep of it (or a remote
// author about their own post): removals, restorations, locks and pins, as federation hands them
// over. The posts themselves arrive through incoming.service.ts.
import type { Tx } from "../db/transaction.ts";
import { notify } from "../notifications/notifications.service.ts";
import { excerpt } from "./richtext.ts";
import { refreshTopicCount } from "./topics.repo.ts";

/** A removal decided by the group's instance (or a deletion by the author). */
export async function removeIncoming(
  tx: Tx,
  publicUrl: URL,
  post: { id: string; topicId: string },
  removal: { reason: string; by: string; byAuthor?: boolean },
): Promise<void> {
  const row = await tx.db
    .updateTable("forum_posts")
    .set({
      removed_at: new Date(),
      removal_reason: removal.reason,
      removed_by_author: removal.byAuthor ?? false,
    })
    .where("id", "=", post.id)
    .where("removed_at", "is", null)
    .returning(["position", "group_id", "author_id", "author_name", "text_plain"])
    .executeTakeFirst();
  if (!row) return;
  // One of our members wrote it (in a group elsewhere): they are told why, as for local removals.
  if (row.author_id && removal.by !== row.author_id) {
    const group = await tx.db
      .selectFrom("forum_groups")
      .select("name")
      .where("id", "=", row.group_id)
      .executeTakeFirstOrThrow();
    const topic = await tx.db
      .selectFrom("forum_topics")
      .select("title")
      .where("id", "=", post.topicId)
      .executeTakeFirstOrThrow();
    await notify(tx, publicUrl, {
      userId: row.author_id,
      kind: row.position === 1 ? "forums:topicRemoved" : "forums:postRemoved",
      data: { topic: topic.title, group: group.name, reason: removal.reason },
      link: `/topics/${post.topicId}`,
      email: "forums",
    });
  }
  const topic = await tx.db
    .selectFrom("forum_topics")
    .select("title")
    .where("id", "=", post.topicId)
    .executeTakeFirstOrThrow();
  if (row.position === 1) {
    await tx.db
      .updateTable("forum_topics")
      .set({ removed_at: new Date() })
      .where("id", "=", post.topicId)
      .execute();
    await refreshTopicCount(tx.db, row.group_id);
  }
  await tx.db
    .insertInto("forum_moderation_log")
    .values({
      group_id: row.group_id,
      action: "remove",
      moderator_ap_id: removal.by,
      topic_id: post.topicId,
      post_id: post.id,
      topic_title: topic.title,
      target_name: row.author_name,
      reason: removal.reason,
      details: JSON.stringify({ position: row.position, excerpt: excerpt(row.text_plain, 120) }),
    })
    .execute();
}

const TOPIC_STATES = {
  lock: { column: "locked_at", on: "lock", off: "unlock" },
  pin: { column: "pinned_at", on: "pin", off: "unpin" },
} as const;

/** A topic's lock or pin set by the group's instance, written in the group's moderation log. */
async function topicStateIncoming(
  tx: Tx,
  topicId: string,
  state: keyof typeof TOPIC_STATES,
  change: { on: boolean; reason: string; by: string },
): Promise<void> {
  const { column, on, off } = TOPIC_STATES[state];
  const topic = await tx.db
    .updateTable("forum_topics")
    .set({ [column]: change.on ? new Date() : null })
    .where("id", "=", topicId)
    .returning(["group_id", "title"])
    .executeTakeFirstOrThrow();
  await tx.db
    .insertInto("forum_moderation_log")
    .values({
      group_id: topic.group_id,
      action: change.on ? on : off,
      moderator_ap_id: change.by,
      topic_id: topicId,
      topic_title: topic.title,
      reason: change.reason,
      details: JSON.stringify({}),
    })
    .execute();
}

/** A topic locked or reopened by the group's instance. */
export const lockIncoming = (
  tx: Tx,
  topicId: string,
  lock: { locked: boolean; reason: string; by: string },
) => topicStateIncoming(tx, topicId, "lock", { ...lock, on: lock.locked });

/** A topic pinned or unpinned by the group's instance. */
export const pinIncoming = (
  tx: Tx,
  topicId: string,
  pin: { pinned: boolean; reason: string; by: string },
) => topicStateIncoming(tx, topicId, "pin", { ...pin, on: pin.pinned });

/**
 * A post removed by moderation restored by the group's instance (`Undo` of its `Delete` or
 * `Remove`): shown again, its topic too when it opened one, written in the moderation log. An
 * author's own deletion is theirs to keep: it is not undone this way.
 */
export async function restoreIncoming(
  tx: Tx,
  post: { id: string; topicId: string },
  restore: { reason: string; by: string },
): Promise<boolean> {
  const row = await tx.db
    .updateTable("forum_posts")
    .set({ removed_at: null, removal_reason: null, removed_by: null })
    .where("id", "=", post.id)
    .where("removed_at", "is not", null)
    .where("removed_by_author", "=", false)
    .returning(["position", "group_id", "author_name"])
    .executeTakeFirst();
  if (!row) return false;
  if (row.position === 1) {
    await tx.db
      .updateTable("forum_topics")
      .set({ removed_at: null })
      .where("id", "=", post.topicId)
      .execute();
    await refreshTopicCount(tx.db, row.group_id);
  }
  const topic = await tx.db
    .selectFrom("forum_topics")
    .select("title")
    .where("id", "=", post.topicId)
    .executeTakeFirstOrThrow();
  await tx.db
    .insertInto("forum_moderation_log")
    .values({
      group_id: row.group_id,
      action: "restore",
      moderator_ap_id: restore.by,
      topic_id: post.topicId,
      post_id: post.id,
      topic_title: topic.title,
      target_name: row.author_name,
      reason: restore.reason,
      details: JSON.stringify({ position: row.position }),
    })
    .execute();
  return true;
}
