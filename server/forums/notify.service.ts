// After a post is committed, a job tells the people concerned, each once, by the most specific
// reason: mentioned, answered or quoted, then subscribed to the topic or to the group. Nobody is
// told about a post they may not read.
import type { Tx } from "../db/transaction.ts";
import { findUsersByIds } from "../accounts/accounts.repo.ts";
import { notify } from "../notifications/notifications.service.ts";
import { readersOf } from "./access.ts";
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

/** Of these people, those already told of a mention at `link` (by another copy of the post). */
async function alreadyTold(tx: Tx, userIds: string[], link: string): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await tx.db
    .selectFrom("notifications")
    .select("user_id")
    .where("user_id", "in", userIds)
    .where("kind", "=", "forums:mention")
    .where("link", "=", link)
    .execute();
  return new Set(rows.map((r) => r.user_id));
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
  // Of the people concerned, those to tell: then their accounts and reading rights, read for
  // all of them at once.
  const chosen = [...reasons].filter(
    ([userId, reason]) =>
      !mentionedOnly || (reason === "mention" && mentionedOnly.includes(userId)),
  );
  // Two copies of one remote post may each ask to tell who it mentions: once is enough.
  const told = await alreadyTold(
    tx,
    chosen.filter(([, reason]) => reason === "mention").map(([userId]) => userId),
    link,
  );
  const recipients = chosen.filter(([userId, reason]) => reason !== "mention" || !told.has(userId));
  const users = await findUsersByIds(
    tx.db,
    recipients.map(([userId]) => userId),
  );
  const readers = await readersOf(tx.db, group, [...users.values()]);
  let sent = 0;
  for (const [userId, reason] of recipients) {
    const user = users.get(userId);
    if (!user || !readers.has(userId)) continue;
    await notify(tx, publicUrl, {
      userId,
      user,
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
