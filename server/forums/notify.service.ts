// After a post is committed, a job tells the people concerned, each once, by the most specific
// reason: mentioned, answered or quoted, then subscribed to the topic or to the group. Nobody is
// told about a post they may not read.
import type { Tx } from "../db/transaction.ts";
import { findUserById } from "../accounts/accounts.repo.ts";
import { notify } from "../notifications/notifications.service.ts";
import { groupAccess } from "./access.ts";
import { findGroup } from "./groups.repo.ts";
import { postPath } from "./paging.ts";
import * as posts from "./posts.repo.ts";
import { excerpt } from "./richtext.ts";
import { findTopic } from "./topics.repo.ts";

type Reason = "mention" | "reply" | "quoted" | "newReply" | "newTopic";

async function subscriberIds(tx: Tx, target: { topicId: string } | { groupId: string }) {
  const query = tx.db.selectFrom("forum_subscriptions").select("user_id");
  const rows = await (
    "topicId" in target
      ? query.where("topic_id", "=", target.topicId)
      : query.where("group_id", "=", target.groupId)
  ).execute();
  return rows.map((r) => r.user_id);
}

async function alreadyTold(tx: Tx, userId: string, link: string): Promise<boolean> {
  const row = await tx.db
    .selectFrom("notifications")
    .select("id")
    .where("user_id", "=", userId)
    .where("kind", "=", "forums:mention")
    .where("link", "=", link)
    .executeTakeFirst();
  return row !== undefined;
}

/** `mentionedOnly`: of the people concerned, tell only these, and only if mentioned. */
export async function notifyPost(
  tx: Tx,
  publicUrl: URL,
  postId: string,
  mentionedOnly?: readonly string[],
): Promise<number> {
  const post = await posts.findPost(tx.db, postId);
  if (!post || post.removedAt) return 0;
  const topic = await findTopic(tx.db, post.topicId);
  const group = topic ? await findGroup(tx.db, { id: topic.groupId }) : undefined;
  if (!topic || !group || topic.removedAt) return 0;

  const reasons = new Map<string, Reason>();
  const add = (ids: (string | null | undefined)[], reason: Reason) => {
    for (const id of ids)
      if (id && id !== post.authorId && !reasons.has(id)) reasons.set(id, reason);
  };
  add(await posts.mentionedUserIds(tx.db, post.id), "mention");
  if (post.inReplyToId) add([(await posts.findPost(tx.db, post.inReplyToId))?.authorId], "reply");
  if (post.quoteOfId) add([(await posts.findPost(tx.db, post.quoteOfId))?.authorId], "quoted");
  if (post.position === 1) add(await subscriberIds(tx, { groupId: group.id }), "newTopic");
  else add(await subscriberIds(tx, { topicId: topic.id }), "newReply");

  const link = post.position === 1 ? `/topics/${topic.id}` : postPath(topic.id, post.position);
  let sent = 0;
  for (const [userId, reason] of reasons) {
    if (mentionedOnly && (reason !== "mention" || !mentionedOnly.includes(userId))) continue;
    // Two copies of one remote post may each ask to tell who it mentions: once is enough.
    if (reason === "mention" && (await alreadyTold(tx, userId, link))) continue;
    const user = await findUserById(tx.db, userId);
    if (!user || !(await groupAccess(tx.db, group, user)).canRead) continue;
    await notify(tx, publicUrl, {
      userId,
      kind: `forums:${reason}`,
      data: {
        name: post.authorName,
        topic: topic.title,
        group: group.name,
        excerpt: excerpt(post.text, 140),
      },
      link,
      email: "forums",
    });
    sent += 1;
  }
  return sent;
}
