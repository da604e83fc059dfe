import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { ImageType } from "./forums.tables.ts";
import { UUID } from "./groups.repo.ts";

export interface Post {
  id: string;
  topicId: string;
  groupId: string;
  position: number;
  authorId: string | null;
  /** The actor of a post written elsewhere (its avatar is shown through our copy); null for ours. */
  authorApId: string | null;
  authorName: string;
  authorUsername: string | null;
  inReplyToId: string | null;
  quoteOfId: string | null;
  source: string | null;
  html: string;
  text: string;
  editedAt: Date | null;
  removedAt: Date | null;
  removalReason: string | null;
  likeCount: number;
  createdAt: Date;
  /** Where a post written elsewhere is published (its page, else its id); null for ours. */
  originalUrl: string | null;
  /** Deleted by its author (on their instance), not removed by the moderators. */
  removedByAuthor: boolean;
}

export interface Attachment {
  id: string;
  contentType: ImageType;
  description: string;
}

export interface PostView extends Post {
  likedByMe: boolean;
  inReplyTo: { id: string; position: number; authorName: string } | null;
  replies: { id: string; position: number }[];
  attachments: Attachment[];
}

export const postColumns = [
  "p.id",
  "p.topic_id",
  "p.group_id",
  "p.position",
  "p.author_id",
  "p.author_name",
  "p.in_reply_to_id",
  "p.quote_of_id",
  "p.source",
  "p.content_html",
  "p.text_plain",
  "p.edited_at",
  "p.removed_at",
  "p.removal_reason",
  "p.like_count",
  "p.created_at",
  "p.url",
  "p.ap_id",
  "p.author_ap_id",
  "p.removed_by_author",
] as const;

export type PostRow = {
  id: string;
  topic_id: string;
  group_id: string;
  position: number;
  author_id: string | null;
  author_name: string | null;
  display_name: string | null;
  username: string | null;
  in_reply_to_id: string | null;
  quote_of_id: string | null;
  source: string | null;
  content_html: string;
  text_plain: string;
  edited_at: Date | null;
  removed_at: Date | null;
  removal_reason: string | null;
  like_count: number;
  created_at: Date;
  url: string | null;
  ap_id: string | null;
  author_ap_id: string | null;
  removed_by_author: boolean;
};

/** Only web addresses become links. */
const webUrl = (url: string | null) => (url && /^https?:\/\//i.test(url) ? url : null);

export function toPost(r: PostRow): Post {
  return {
    id: r.id,
    topicId: r.topic_id,
    groupId: r.group_id,
    position: r.position,
    authorId: r.author_id,
    authorApId: r.author_id === null ? r.author_ap_id : null,
    authorName: r.display_name ?? r.author_name ?? "?",
    authorUsername: r.username,
    inReplyToId: r.in_reply_to_id,
    quoteOfId: r.quote_of_id,
    source: r.source,
    html: r.content_html,
    text: r.text_plain,
    editedAt: r.edited_at,
    removedAt: r.removed_at,
    removalReason: r.removal_reason,
    likeCount: r.like_count,
    createdAt: r.created_at,
    originalUrl: r.author_id === null ? webUrl(r.url ?? r.ap_id) : null,
    removedByAuthor: r.removed_by_author,
  };
}

/** The search document: the topic title (weighted higher) and the text, in French, unaccented,
 * plurals folded (see migration 0030). */
export function searchVector(title: string | null, text: string) {
  return title === null
    ? sql`maillage_fold_plurals(to_tsvector('maillage_fr', ${text}))`
    : sql`maillage_fold_plurals(setweight(to_tsvector('maillage_fr', ${title}), 'A') || to_tsvector('maillage_fr', ${text}))`;
}

export async function insertPost(
  db: Db,
  post: {
    topicId: string;
    groupId: string;
    position: number;
    authorId: string;
    inReplyToId: string | null;
    quoteOfId: string | null;
    source: string;
    html: string;
    text: string;
    /** The topic title, for the opening post only. */
    title: string | null;
  },
): Promise<string> {
  const row = await db
    .insertInto("forum_posts")
    .values({
      topic_id: post.topicId,
      group_id: post.groupId,
      position: post.position,
      author_id: post.authorId,
      in_reply_to_id: post.inReplyToId,
      quote_of_id: post.quoteOfId,
      source: post.source,
      content_html: post.html,
      text_plain: post.text,
      search: searchVector(post.title, post.text),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updatePostContent(
  db: Db,
  id: string,
  content: { source: string; html: string; text: string; title: string | null },
): Promise<void> {
  await db
    .updateTable("forum_posts")
    .set({
      source: content.source,
      content_html: content.html,
      text_plain: content.text,
      search: searchVector(content.title, content.text),
      edited_at: new Date(),
    })
    .where("id", "=", id)
    .execute();
}

export async function findPost(db: Db, id: string): Promise<Post | undefined> {
  if (!UUID.test(id)) return undefined;
  const row = await db
    .selectFrom("forum_posts as p")
    .leftJoin("users as u", "u.id", "p.author_id")
    .select(postColumns)
    .select(["u.display_name", "u.username"])
    .where("p.id", "=", id)
    .executeTakeFirst();
  return row ? toPost(row) : undefined;
}

export async function findOpeningPost(db: Db, topicId: string): Promise<Post | undefined> {
  const row = await db
    .selectFrom("forum_posts as p")
    .leftJoin("users as u", "u.id", "p.author_id")
    .select(postColumns)
    .select(["u.display_name", "u.username"])
    .where("p.topic_id", "=", topicId)
    .where("p.position", "=", 1)
    .executeTakeFirst();
  return row ? toPost(row) : undefined;
}

/** Posts of a topic between two positions, with what the page shows around each of them. */
export async function listPosts(
  db: Db,
  topicId: string,
  range: { from: number; to: number },
  userId: string | undefined,
): Promise<PostView[]> {
  const rows = await db
    .selectFrom("forum_posts as p")
    .leftJoin("users as u", "u.id", "p.author_id")
    .leftJoin("forum_posts as parent", "parent.id", "p.in_reply_to_id")
    .leftJoin("users as pu", "pu.id", "parent.author_id")
    .select(postColumns)
    .select(["u.display_name", "u.username"])
    .select(["parent.position as parent_position", "parent.author_name as parent_author_name"])
    .select("pu.display_name as parent_display_name")
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom("forum_reactions as r")
            .select("r.id")
            .whereRef("r.post_id", "=", "p.id")
            .where("r.user_id", "=", userId ?? "00000000-0000-0000-0000-000000000000"),
        )
        .as("liked"),
    )
    .where("p.topic_id", "=", topicId)
    .where("p.position", ">=", range.from)
    .where("p.position", "<=", range.to)
    .orderBy("p.position")
    .execute();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const [replies, attachments] = await Promise.all([
    db
      .selectFrom("forum_posts")
      .select(["id", "position", "in_reply_to_id"])
      .where("in_reply_to_id", "in", ids)
      .orderBy("position")
      .execute(),
    db
      .selectFrom("forum_attachments")
      .select(["id", "post_id", "content_type", "description"])
      .where("post_id", "in", ids)
      .orderBy("created_at")
      .execute(),
  ]);
  return rows.map((r) => ({
    ...toPost(r),
    likedByMe: Boolean(r.liked),
    inReplyTo:
      r.in_reply_to_id && r.parent_position !== null
        ? {
            id: r.in_reply_to_id,
            position: r.parent_position,
            authorName: r.parent_display_name ?? r.parent_author_name ?? "?",
          }
        : null,
    replies: replies
      .filter((x) => x.in_reply_to_id === r.id)
      .map((x) => ({ id: x.id, position: x.position })),
    attachments: attachments
      .filter((a) => a.post_id === r.id)
      .map((a) => ({ id: a.id, contentType: a.content_type, description: a.description })),
  }));
}

export async function setRemoved(
  db: Db,
  id: string,
  removal: { by: string; reason: string; byAuthor?: boolean } | null,
): Promise<void> {
  await db
    .updateTable("forum_posts")
    .set(
      removal
        ? {
            removed_at: new Date(),
            removed_by: removal.by,
            removal_reason: removal.reason,
            removed_by_author: removal.byAuthor ?? false,
          }
        : { removed_at: null, removed_by: null, removal_reason: null, removed_by_author: false },
    )
    .where("id", "=", id)
    .execute();
}

export async function recentPostCount(db: Db, authorId: string, since: Date): Promise<number> {
  const row = await db
    .selectFrom("forum_posts")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("author_id", "=", authorId)
    .where("created_at", ">", since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function lastPostAt(db: Db, authorId: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom("forum_posts")
    .select("created_at")
    .where("author_id", "=", authorId)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.created_at;
}

export async function setLike(db: Db, postId: string, userId: string, on: boolean): Promise<void> {
  if (on) {
    await db
      .insertInto("forum_reactions")
      .values({ post_id: postId, user_id: userId, kind: "like" })
      .onConflict((oc) =>
        oc.columns(["post_id", "user_id", "kind"]).where("user_id", "is not", null).doNothing(),
      )
      .execute();
  } else {
    await db
      .deleteFrom("forum_reactions")
      .where("post_id", "=", postId)
      .where("user_id", "=", userId)
      .where("kind", "=", "like")
      .execute();
  }
  await refreshLikeCount(db, postId);
}

/** Recounts a post's likes, local and remote alike, after one was added or taken back. */
export async function refreshLikeCount(db: Db, postId: string): Promise<void> {
  await db
    .updateTable("forum_posts")
    .set((eb) => ({
      like_count: eb
        .selectFrom("forum_reactions")
        .select((e) => e.fn.countAll<number>().as("n"))
        .where("post_id", "=", postId)
        .where("kind", "=", "like"),
    }))
    .where("id", "=", postId)
    .execute();
}

export async function insertMentions(
  db: Db,
  postId: string,
  mentions: { acct: string; userId: string | null }[],
): Promise<void> {
  if (mentions.length === 0) return;
  await db
    .insertInto("forum_mentions")
    .values(mentions.map((m) => ({ post_id: postId, acct: m.acct, user_id: m.userId })))
    .onConflict((oc) => oc.columns(["post_id", "acct"]).doNothing())
    .execute();
}

export async function mentionedUserIds(db: Db, postId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("forum_mentions")
    .select("user_id")
    .where("post_id", "=", postId)
    .where("user_id", "is not", null)
    .execute();
  return rows.map((r) => r.user_id!);
}

export async function insertAttachment(
  db: Db,
  attachment: { postId: string; contentType: ImageType; data: Buffer; description: string },
): Promise<string> {
  const row = await db
    .insertInto("forum_attachments")
    .values({
      post_id: attachment.postId,
      content_type: attachment.contentType,
      size: attachment.data.length,
      data: attachment.data,
      description: attachment.description,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function findAttachment(
  db: Db,
  id: string,
): Promise<
  | {
      id: string;
      postId: string;
      groupId: string;
      contentType: ImageType;
      data: Buffer | null;
      removed: boolean;
    }
  | undefined
> {
  if (!UUID.test(id)) return undefined;
  const row = await db
    .selectFrom("forum_attachments as a")
    .innerJoin("forum_posts as p", "p.id", "a.post_id")
    .select(["a.id", "a.post_id", "p.group_id", "a.content_type", "a.data", "p.removed_at"])
    .where("a.id", "=", id)
    .executeTakeFirst();
  return row
    ? {
        id: row.id,
        postId: row.post_id,
        groupId: row.group_id,
        contentType: row.content_type,
        data: row.data,
        removed: row.removed_at !== null,
      }
    : undefined;
}
