// Posts that arrive from elsewhere (a remote member writing in our group, or a remote group's
// announces and backfill), as federation hands them over: stored beside local ones with their
// ActivityPub ids and remote-author columns, HTML through the forums' own sanitizer. Idempotent:
// an id seen before updates. Removals and locks decided by a remote group's instance: in
// incoming-moderation.ts.
import { jsonObjectFrom } from "kysely/helpers/postgres";
import type { Insertable, Selectable } from "kysely";
import type { Db } from "../db/database.ts";
import type { Database } from "../db/schema.ts";
import type { Tx } from "../db/transaction.ts";
import { touchGroupQuery } from "./groups.repo.ts";
import { findPostByApId } from "./post-ids.ts";
import { searchVector } from "./posts.repo.ts";
import { banInForce } from "./remote-bans.ts";
import { excerpt, renderRemoteHtml } from "./richtext.ts";
import { nextPosition } from "./topics.repo.ts";

/** "@entraide@cmcas.example @lea Bonjour" → "Bonjour". */
const LEADING_MENTIONS = /^(?:\s*@[\p{L}\p{N}_.-]+(?:@[\p{L}\p{N}_.-]+(?::\d+)?)?[,:]?)+\s*/u;

/** One of our members named by a post's `Mention` tags. */
export interface IncomingMention {
  acct: string;
  userId: string;
  actorUri: string;
}

export interface IncomingPost {
  apId: string;
  url: string | null;
  authorUri: string;
  authorName: string;
  authorUrl: string | null;
  html: string;
  /** `name` of a Page/Article: it opens a topic. */
  title: string | null;
  inReplyTo: string | null;
  context: string | null;
  published: Date;
  /** Our members named by the post's `Mention` tags. */
  mentions?: IncomingMention[];
  /** Addressed to `as:Public` (in `to` or `cc`); false: to the group's followers only. */
  public: boolean;
}

export type StoreOutcome =
  | { kind: "created"; postId: string; topicId: string }
  | { kind: "updated"; postId: string; topicId: string }
  | { kind: "local" | "orphan" | "other_group" };

/** What storeIncoming reads of a post it has (by its id): the caller may have read it already. */
const COPY = ["id", "topic_id", "group_id", "position", "content_html"] as const;
type Copy = Pick<Selectable<Database["forum_posts"]>, (typeof COPY)[number]>;

/** `copy`: our copy of the post (`ap_id`), when the caller read it (none: it has none). */
export async function storeIncoming(
  tx: Tx,
  publicUrl: URL,
  groupId: string,
  input: IncomingPost,
  read?: { copy: Copy | undefined },
): Promise<StoreOutcome> {
  const db = tx.db;
  if (new URL(input.apId).origin === publicUrl.origin) return { kind: "local" };
  // A remote group that sends a post to its followers only is not public here: it becomes a
  // network group (signed-in members only), and stays one (ADR 0085). Our own groups keep the
  // visibility their moderators chose.
  if (!input.public)
    await db
      .updateTable("forum_groups")
      .set({ visibility: "network" })
      .where("id", "=", groupId)
      .where("host", "is not", null)
      .where("visibility", "=", "public")
      .execute();
  const rendered = renderRemoteHtml(input.html);
  const existing = read
    ? read.copy
    : await db
        .selectFrom("forum_posts")
        .select(COPY)
        .where("ap_id", "=", input.apId)
        .executeTakeFirst();
  if (existing) {
    if (existing.group_id !== groupId) return { kind: "other_group" };
    const title = existing.position === 1 ? input.title : null;
    const edited = existing.content_html !== rendered.html;
    if (edited) {
      await db
        .updateTable("forum_posts")
        .set({
          content_html: rendered.html,
          text_plain: rendered.text,
          search: searchVector(title, rendered.text),
          edited_at: new Date(),
        })
        .where("id", "=", existing.id)
        .execute();
    }
    if (title)
      await db
        .updateTable("forum_topics")
        .set({ title })
        .where("id", "=", existing.topic_id)
        .execute();
    // Mentions added by an edit are kept but, as for local edits, notify nobody. The same post
    // received again unchanged is another copy, not an edit: a group announces both the bare post
    // and its Create, in either order, and the bare post fetched from its id may carry no tags.
    // Members it names for the first time are told then, as if this copy had come first.
    const added = await saveMentions(db, existing.id, input.mentions);
    if (!edited && added.length > 0)
      tx.enqueue("forums.notify", { postId: existing.id, mentionedOnly: added });
    return { kind: "updated", postId: existing.id, topicId: existing.topic_id };
  }

  let threadId: string | undefined;
  let newTopic: Insertable<Database["forum_topics"]> | undefined;
  let parentId: string | null = null;
  let position: number;
  const parent = input.inReplyTo ? await findPostByApId(db, publicUrl, input.inReplyTo) : undefined;
  if (input.inReplyTo) {
    if (parent) threadId = parent.topicId;
    else {
      // A reply whose parent we never saw: its thread may still be known by its context.
      const byContext = input.context
        ? await db
            .selectFrom("forum_topics")
            .select("id")
            .where("context", "=", input.context)
            .where("group_id", "=", groupId)
            .executeTakeFirst()
        : undefined;
      if (!byContext) return { kind: "orphan" };
      threadId = byContext.id;
    }
    const topic = await db
      .selectFrom("forum_topics")
      .select("group_id")
      .where("id", "=", threadId)
      .executeTakeFirstOrThrow();
    if (topic.group_id !== groupId) return { kind: "other_group" };
    parentId = parent?.id ?? null;
    position = await nextPosition(db, threadId);
  } else {
    const contextFree =
      input.context &&
      !(await db
        .selectFrom("forum_topics")
        .select("id")
        .where("context", "=", input.context)
        .executeTakeFirst());
    // A microblog post has no title: its first words stand for one, without the mentions of the
    // group (and of people) it opens with.
    const words = rendered.text.replace(LEADING_MENTIONS, "");
    const title = (input.title?.trim() || excerpt(words, 80) || "…").slice(0, 300);
    // Its first post counted at once, as nextPosition() would count it.
    newTopic = {
      group_id: groupId,
      title,
      context: contextFree ? input.context : null,
      author_ap_id: input.authorUri,
      author_name: input.authorName,
      post_count: 1,
      last_post_at: new Date(),
      created_at: input.published,
    };
    position = 1;
  }
  const values = {
    group_id: groupId,
    position,
    ap_id: input.apId,
    url: input.url,
    author_ap_id: input.authorUri,
    author_name: input.authorName,
    author_url: input.authorUrl,
    in_reply_to_id: parentId,
    in_reply_to_ap_id: parentId ? null : input.inReplyTo,
    source: null,
    content_html: rendered.html,
    text_plain: rendered.text,
    search: searchVector(position === 1 ? (input.title ?? null) : null, rendered.text),
    created_at: input.published,
  };
  // The post, its new topic if it opens one, and the group's activity in one statement (issue
  // 15: the inbox's statements per post; data-modifying WITH queries run whether read or not).
  const touched = db.with("touched", () =>
    touchGroupQuery(db, groupId, newTopic ? 1 : 0).returning("id"),
  );
  const post = newTopic
    ? await touched
        .with("topic", (qb) => qb.insertInto("forum_topics").values(newTopic).returning("id"))
        .insertInto("forum_posts")
        .values({ ...values, topic_id: (eb) => eb.selectFrom("topic").select("topic.id") })
        .returning(["id", "topic_id"])
        .executeTakeFirstOrThrow()
    : await touched
        .insertInto("forum_posts")
        .values({ ...values, topic_id: threadId! })
        .returning(["id", "topic_id"])
        .executeTakeFirstOrThrow();
  const topicId = post.topic_id;
  await saveMentions(db, post.id, input.mentions);
  tx.enqueue("forums.notify", { postId: post.id });
  return { kind: "created", postId: post.id, topicId };
}

/** Keeps the post's mentions; gives the members among them it did not name before. */
async function saveMentions(
  db: Db,
  postId: string,
  mentions: IncomingMention[] = [],
): Promise<string[]> {
  if (mentions.length === 0) return [];
  const inserted = await db
    .insertInto("forum_mentions")
    .values(
      mentions.map((m) => ({
        post_id: postId,
        acct: m.acct,
        user_id: m.userId,
        actor_ap_id: m.actorUri,
      })),
    )
    .onConflict((oc) => oc.columns(["post_id", "acct"]).doNothing())
    .returning("user_id")
    .execute();
  return inserted.flatMap((r) => (r.user_id ? [r.user_id] : []));
}

export type Refusal = "banned" | "moderators_only" | "locked" | "not_member";

/**
 * Someone of another instance writes in one of our groups: refused when they are banned, when
 * the group lets only moderators post (or open topics), or when the topic is locked or removed;
 * stored otherwise (the group then announces it).
 */
export async function receivePostInGroup(
  tx: Tx,
  publicUrl: URL,
  group: { id: string; post_policy: string; join_policy?: string },
  input: IncomingPost,
): Promise<StoreOutcome | { kind: "refused"; refusal: Refusal }> {
  // Whether its author is banned and our copy of the post, if any, in one statement: the inbox
  // reads both for each post received.
  const { banned, copy } = await tx.db
    .selectNoFrom((eb) => [
      eb
        .exists(
          eb.selectFrom("forum_bans").select("id").where(banInForce(group.id, input.authorUri)),
        )
        .as("banned"),
      jsonObjectFrom(eb.selectFrom("forum_posts").select(COPY).where("ap_id", "=", input.apId)).as(
        "copy",
      ),
    ])
    .executeTakeFirstOrThrow();
  const refused = banned ? "banned" : await refusal(tx.db, publicUrl, group, input);
  if (refused) return { kind: "refused", refusal: refused };
  return storeIncoming(tx, publicUrl, group.id, input, { copy: copy ?? undefined });
}

async function refusal(
  db: Db,
  publicUrl: URL,
  group: { id: string; post_policy: string; join_policy?: string },
  input: IncomingPost,
): Promise<Refusal | undefined> {
  // A group one joins on approval or invitation has only approved members, and people of other
  // instances cannot become members: they may read it (if it federates), not write in it.
  if (group.join_policy !== undefined && group.join_policy !== "open") return "not_member";
  if (group.post_policy === "moderators") return "moderators_only";
  if (!input.inReplyTo) return group.post_policy === "members" ? undefined : "moderators_only";
  const parent = await findPostByApId(db, publicUrl, input.inReplyTo);
  if (!parent) return undefined;
  const topic = await db
    .selectFrom("forum_topics")
    .select(["locked_at", "removed_at"])
    .where("id", "=", parent.topicId)
    .executeTakeFirstOrThrow();
  return topic.locked_at || topic.removed_at ? "locked" : undefined;
}
