// Writing in the forums: opening a topic, replying (threaded, with quotes, mentions and an
// image), editing with an "edited" mark, liking. Notifications fan out in a job after commit.
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { findUserByUsername, type User } from "../accounts/accounts.repo.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { mayPost, type GroupAccess, type PostRefusal } from "./access.ts";
import type { CheckedImage } from "./attachments.ts";
import * as groups from "./groups.repo.ts";
import * as members from "./memberships.repo.ts";
import type { Group } from "./groups.repo.ts";
import type { ForumDeps } from "./groups.service.ts";
import { POSTS_PER_PAGE } from "./paging.ts";
import * as posts from "./posts.repo.ts";
import type { Post } from "./posts.repo.ts";
import { renderMarkdown, type Mention } from "./richtext.ts";
import * as topics from "./topics.repo.ts";
import type { Topic } from "./topics.repo.ts";

/**
 * Brand-new accounts post more slowly: it costs a real member little and makes throwaway
 * accounts much less useful for spam. Moderators and staff are never slowed down.
 */
export const NEW_ACCOUNT = {
  days: 7,
  minSecondsBetweenPosts: 120,
  maxPostsPerDay: 20,
} as const;

export type WriteError = PostRefusal | "slow_down" | "bad_parent";

export interface Pace {
  /** Seconds to wait before the next post is accepted. */
  waitSeconds: number;
}

export async function checkPace(
  db: Db,
  user: User,
  isModerator: boolean,
  now = new Date(),
): Promise<Pace | undefined> {
  if (isModerator || user.role !== "member") return undefined;
  const age = now.getTime() - user.createdAt.getTime();
  if (age >= NEW_ACCOUNT.days * 86_400_000) return undefined;
  const last = await posts.lastPostAt(db, user.id);
  if (last) {
    const wait = NEW_ACCOUNT.minSecondsBetweenPosts - (now.getTime() - last.getTime()) / 1000;
    if (wait > 0) return { waitSeconds: Math.ceil(wait) };
  }
  const dayAgo = new Date(now.getTime() - 86_400_000);
  if ((await posts.recentPostCount(db, user.id, dayAgo)) >= NEW_ACCOUNT.maxPostsPerDay)
    return { waitSeconds: 3600 };
  return undefined;
}

async function resolveMentions(db: Db, mentions: Mention[]) {
  const resolved: { acct: string; userId: string | null }[] = [];
  for (const mention of mentions.slice(0, 20)) {
    const local =
      mention.host === null ? await findUserByUsername(db, mention.username) : undefined;
    // A mention of someone elsewhere is kept for federation to deliver; here it notifies nobody.
    if (mention.host === null && !local) continue;
    resolved.push({ acct: mention.acct, userId: local?.id ?? null });
  }
  return resolved;
}

interface WriteInput {
  group: Group;
  access: GroupAccess;
  user: User;
  source: string;
  image?: (CheckedImage & { description: string }) | undefined;
}

async function writePost(
  tx: Tx,
  deps: ForumDeps,
  input: WriteInput,
  target: {
    topicId: string;
    title: string | null;
    inReplyToId: string | null;
    quoteOfId: string | null;
  },
): Promise<string> {
  const rendered = renderMarkdown(input.source, deps.publicUrl.host);
  const position = await topics.nextPosition(tx.db, target.topicId);
  const postId = await posts.insertPost(tx.db, {
    topicId: target.topicId,
    groupId: input.group.id,
    position,
    authorId: input.user.id,
    inReplyToId: target.inReplyToId,
    quoteOfId: target.quoteOfId,
    source: input.source,
    html: rendered.html,
    text: rendered.text,
    title: target.title,
  });
  await posts.insertMentions(tx.db, postId, await resolveMentions(tx.db, rendered.mentions));
  if (input.image) {
    await posts.insertAttachment(tx.db, {
      postId,
      contentType: input.image.contentType,
      data: input.image.data,
      description: input.image.description.trim(),
    });
  }
  await topics.markRead(tx.db, input.user.id, target.topicId, position);
  await members.setSubscription(tx.db, input.user.id, { topicId: target.topicId }, true);
  tx.enqueue("forums.notify", { postId });
  // Federated groups announce it; a remote group receives it (nothing for other groups).
  await deps.federation.postCreated(tx, postId);
  return postId;
}

async function prepare(
  tx: Tx,
  input: WriteInput,
  kind: "topic" | "reply",
  topic?: Topic,
): Promise<Result<void, WriteError>> {
  const allowed = mayPost(input.group, input.access, kind, topic);
  if (!allowed.ok) return allowed;
  const pace = await checkPace(tx.db, input.user, input.access.isModerator);
  if (pace) return fail("slow_down", { waitSeconds: pace.waitSeconds });
  if (allowed.value.joins) {
    await members.putMembership(tx.db, {
      groupId: input.group.id,
      userId: input.user.id,
      role: "member",
      state: "active",
      origin: "self",
    });
  }
  return ok(undefined);
}

export async function createTopic(
  tx: Tx,
  deps: ForumDeps,
  input: WriteInput & { title: string },
): Promise<Result<{ topicId: string; postId: string }, WriteError>> {
  const ready = await prepare(tx, input, "topic");
  if (!ready.ok) return ready;
  const title = input.title.trim();
  const topicId = await topics.insertTopic(tx.db, {
    groupId: input.group.id,
    title,
    authorId: input.user.id,
  });
  const postId = await writePost(tx, deps, input, {
    topicId,
    title,
    inReplyToId: null,
    quoteOfId: null,
  });
  await groups.touchGroup(tx.db, input.group.id, 1);
  return ok({ topicId, postId });
}

export async function reply(
  tx: Tx,
  deps: ForumDeps,
  input: WriteInput & {
    topic: Topic;
    inReplyToId?: string | undefined;
    quoteOfId?: string | undefined;
  },
): Promise<Result<{ postId: string }, WriteError>> {
  const ready = await prepare(tx, input, "reply", input.topic);
  if (!ready.ok) return ready;
  for (const id of [input.inReplyToId, input.quoteOfId]) {
    if (id === undefined) continue;
    const parent = await posts.findPost(tx.db, id);
    if (!parent || parent.topicId !== input.topic.id) return fail("bad_parent");
  }
  const postId = await writePost(tx, deps, input, {
    topicId: input.topic.id,
    title: null,
    inReplyToId: input.inReplyToId ?? (await posts.findOpeningPost(tx.db, input.topic.id))!.id,
    quoteOfId: input.quoteOfId ?? null,
  });
  await groups.touchGroup(tx.db, input.group.id);
  return ok({ postId });
}

export async function editPost(
  tx: Tx,
  deps: ForumDeps,
  input: {
    post: Post;
    topic: Topic;
    access: GroupAccess;
    user: User;
    source: string;
    title?: string | undefined;
  },
): Promise<Result<void, "not_author" | "removed" | "banned">> {
  if (input.post.authorId !== input.user.id) return fail("not_author");
  if (input.post.removedAt) return fail("removed");
  if (input.access.ban) return fail("banned");
  const db = tx.db;
  const opening = input.post.position === 1;
  const title = opening && input.title ? input.title.trim() : opening ? input.topic.title : null;
  const rendered = renderMarkdown(input.source, deps.publicUrl.host);
  await posts.updatePostContent(db, input.post.id, {
    source: input.source,
    html: rendered.html,
    text: rendered.text,
    title,
  });
  // Mentions added by an edit are recorded (for federation) but notify nobody: an edit should
  // not become a way to ping people repeatedly.
  await posts.insertMentions(db, input.post.id, await resolveMentions(db, rendered.mentions));
  if (opening && title !== null && title !== input.topic.title)
    await topics.setTopicTitle(db, input.topic.id, title);
  await deps.federation.postUpdated(tx, input.post.id);
  return ok(undefined);
}

/**
 * A member deletes their own post. An opening post goes only while nobody has replied (the
 * replies would lose their topic); after that, moderators decide. Shown as deleted by its author,
 * not as a moderators' removal, and federated as the author's Delete.
 */
export async function deleteOwnPost(
  tx: Tx,
  deps: ForumDeps,
  input: { post: Post; topic: Topic; user: User },
): Promise<Result<void, "not_author" | "removed" | "has_replies">> {
  const { post, topic } = input;
  if (post.authorId !== input.user.id) return fail("not_author");
  if (post.removedAt) return fail("removed");
  const opening = post.position === 1;
  if (opening && topic.postCount > 1) return fail("has_replies");
  const reason = "Supprimé par son auteur";
  await posts.setRemoved(tx.db, post.id, { by: input.user.id, reason, byAuthor: true });
  if (opening) {
    await topics.setTopicFlags(tx.db, topic.id, { removedAt: new Date() });
    await topics.refreshTopicCount(tx.db, topic.groupId);
  }
  await deps.federation.postRemoved(tx, post.id, reason, true);
  return ok(undefined);
}

export async function like(
  tx: Tx,
  deps: ForumDeps,
  input: { post: Post; access: GroupAccess; user: User; on: boolean },
): Promise<Result<void, "banned" | "removed" | "not_member">> {
  if (!input.access.canRead) return fail("not_member");
  if (input.access.ban) return fail("banned");
  if (input.post.removedAt) return fail("removed");
  const before = await tx.db
    .selectFrom("forum_reactions")
    .select("ap_id")
    .where("post_id", "=", input.post.id)
    .where("user_id", "=", input.user.id)
    .where("kind", "=", "like")
    .executeTakeFirst();
  await posts.setLike(tx.db, input.post.id, input.user.id, input.on);
  // A like of a post of a group elsewhere is sent there (nothing for other groups).
  const { id: postId } = input.post;
  if (input.on && !before) await deps.federation.liked(tx, postId, input.user.id);
  if (!input.on && before) await deps.federation.unliked(tx, postId, input.user.id, before.ap_id);
  return ok(undefined);
}

/**
 * One page of a topic's posts as its reader sees them (web page and API alike). Reading a page
 * marks it read; `lastRead` is where the reader had stopped before, to show what is new.
 */
export async function readTopicPage(
  db: Db,
  input: { topic: Topic; userId: string | undefined; page: number },
): Promise<{ posts: posts.PostView[]; lastRead: number | null }> {
  const { topic, userId } = input;
  const from = (input.page - 1) * POSTS_PER_PAGE + 1;
  const lastRead = userId ? await topics.lastReadPosition(db, userId, topic.id) : null;
  const list = await posts.listPosts(db, topic.id, { from, to: from + POSTS_PER_PAGE - 1 }, userId);
  if (userId && list.length > 0) await topics.markRead(db, userId, topic.id, list.at(-1)!.position);
  return { posts: list, lastRead };
}

/** A post as a topic's page shows it (likes, thread), e.g. to answer the request that wrote it. */
export async function postView(
  db: Db,
  postId: string,
  userId: string | undefined,
): Promise<posts.PostView> {
  const post = (await posts.findPost(db, postId))!;
  const range = { from: post.position, to: post.position };
  return (await posts.listPosts(db, post.topicId, range, userId))[0]!;
}

export const findTopic = topics.findTopic;
export const listTopics = topics.listTopics;
export const findPost = posts.findPost;
export const findAttachment = posts.findAttachment;
