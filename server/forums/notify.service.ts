// After a post is committed, a job tells the people concerned, each once, by the most specific
// reason: mentioned, answered or quoted, then subscribed to the topic or to the group. Nobody is
// told about a post they may not read.
import type { Tx } from "../db/transaction.ts";
import { findUsersByIds } from "../accounts/accounts.repo.ts";
import { notify } from "../notifications/notifications.service.ts";
import { readersOf } from "./access.ts";
import { concernedUsers, findPostInContext, type Reason } from "./notify.repo.ts";
import { postPath } from "./paging.ts";
import { excerpt } from "./richtext.ts";

/** From the most specific reason to the least: a person is told once, for the first. */
const RANK: Record<Reason, number> = { mention: 0, reply: 1, quoted: 2, newReply: 3, newTopic: 3 };

/** `mentionedOnly`: of the people concerned, tell only these, and only if mentioned. */
export async function notifyPost(
  tx: Tx,
  publicUrl: URL,
  postId: string,
  mentionedOnly?: readonly string[],
): Promise<number> {
  const found = await findPostInContext(tx.db, postId);
  if (!found || found.post.removedAt) return 0;
  const { post, topic, group } = found;
  if (!topic || !group || topic.removedAt) return 0;

  const link = post.position === 1 ? `/topics/${topic.id}` : postPath(topic.id, post.position);
  const concerned = await concernedUsers(tx.db, post, {
    topicId: topic.id,
    groupId: group.id,
    link,
  });
  // `told`: two copies of one remote post may each ask to tell who it mentions; once is enough.
  const reasons = new Map<string, { reason: Reason; told: boolean }>();
  for (const { userId, reason, told } of concerned.sort((a, b) => RANK[a.reason] - RANK[b.reason]))
    if (userId && userId !== post.authorId && !reasons.has(userId))
      reasons.set(userId, { reason, told });

  // Of the people concerned, those to tell: then their accounts and reading rights, read for
  // all of them at once.
  const recipients = [...reasons]
    .filter(
      ([userId, { reason }]) =>
        !mentionedOnly || (reason === "mention" && mentionedOnly.includes(userId)),
    )
    .filter(([, { reason, told }]) => reason !== "mention" || !told)
    .map(([userId, { reason }]) => [userId, reason] as const);
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
