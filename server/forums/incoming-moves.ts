// A topic of a followed group moved by the group's instance to another group (issue 16 item 18):
// our copy follows it into our entry for that group when we follow it too, and otherwise leaves
// the group (hidden, as a removal would); both written in the moderation logs, as local moves.
import type { Tx } from "../db/transaction.ts";
import { refreshTopicCount, setTopicFlags } from "./topics.repo.ts";

async function log(
  tx: Tx,
  entry: {
    groupId: string;
    action: "move_out" | "move_in";
    topicId: string;
    title: string;
    by: string;
    reason: string;
    details: Record<string, string>;
  },
): Promise<void> {
  await tx.db
    .insertInto("forum_moderation_log")
    .values({
      group_id: entry.groupId,
      action: entry.action,
      moderator_ap_id: entry.by,
      topic_id: entry.topicId,
      topic_title: entry.title,
      reason: entry.reason,
      details: JSON.stringify(entry.details),
    })
    .execute();
}

/**
 * Moves our copy of a remote topic to the entry of group `toGroupId`, or, when we have none, out
 * of sight (`toName`: the group it went to, for the log).
 */
export async function moveIncoming(
  tx: Tx,
  topicId: string,
  move: { toGroupId: string | null; toName: string; reason: string; by: string },
): Promise<void> {
  const topic = await tx.db
    .selectFrom("forum_topics as t")
    .innerJoin("forum_groups as g", "g.id", "t.group_id")
    .select(["t.group_id", "t.title", "g.name", "g.slug"])
    .where("t.id", "=", topicId)
    .executeTakeFirstOrThrow();
  if (topic.group_id === move.toGroupId) return;
  const common = { topicId, title: topic.title, by: move.by, reason: move.reason };
  if (move.toGroupId) {
    await setTopicFlags(tx.db, topicId, { groupId: move.toGroupId });
    await refreshTopicCount(tx.db, move.toGroupId);
    await log(tx, {
      ...common,
      groupId: move.toGroupId,
      action: "move_in",
      details: { from: topic.name, fromSlug: topic.slug },
    });
  } else {
    await setTopicFlags(tx.db, topicId, { removedAt: new Date() });
  }
  await refreshTopicCount(tx.db, topic.group_id);
  await log(tx, {
    ...common,
    groupId: topic.group_id,
    action: "move_out",
    details: { to: move.toName },
  });
}
