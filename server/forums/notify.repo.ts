// What the job telling people of a new post reads, in two statements (issue 15: it runs once per
// post written here or received, and each statement costs more than the few rows it reads): the
// post with its topic and group, then everybody concerned with their reason.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { groupColumns, toGroup, UUID, type Group, type GroupRow } from "./groups.repo.ts";
import { postColumns, toPost, type Post, type PostRow } from "./posts.repo.ts";
import { topicColumns, toTopic, type Topic, type TopicRow } from "./topics.repo.ts";

export type Reason = "mention" | "reply" | "quoted" | "newReply" | "newTopic";

/** `t.title` → `t.title as t_title`: the three tables share column names (id, author_id…). */
const prefixed = (prefix: string, columns: readonly string[]) =>
  columns.map((c) => sql.ref(c).as(`${prefix}_${c.slice(c.indexOf(".") + 1)}`));

/** One table's columns under their own names again, for its mapper; none when it was not
 * joined (no row). */
function unprefixed<T>(row: Record<string, unknown>, prefix: string): T | undefined {
  if (row[`${prefix}_id`] == null) return undefined;
  const columns: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row))
    if (key.startsWith(`${prefix}_`)) columns[key.slice(prefix.length + 1)] = value;
  return columns as T;
}

/** A post, its topic and the topic's group, as findPost, findTopic and findGroup give them. */
export async function findPostInContext(
  db: Db,
  postId: string,
): Promise<{ post: Post; topic?: Topic; group?: Group } | undefined> {
  if (!UUID.test(postId)) return undefined;
  const row = await db
    .selectFrom("forum_posts as p")
    .leftJoin("users as pu", "pu.id", "p.author_id")
    .leftJoin("forum_topics as t", "t.id", "p.topic_id")
    .leftJoin("users as tu", "tu.id", "t.author_id")
    .leftJoin("forum_groups as g", "g.id", "t.group_id")
    .select([
      ...prefixed("p", [...postColumns, "pu.display_name", "pu.username"]),
      ...prefixed("t", [...topicColumns, "tu.display_name"]),
      ...prefixed("g", groupColumns),
    ])
    .where("p.id", "=", postId)
    .executeTakeFirst();
  if (!row) return undefined;
  const topic = unprefixed<TopicRow>(row, "t");
  const group = unprefixed<GroupRow>(row, "g");
  return {
    post: toPost(unprefixed<PostRow>(row, "p")!),
    topic: topic && toTopic(topic),
    group: group && toGroup(group),
  };
}

/**
 * The people a post concerns, each row with one reason: whom it mentions (`told`: of that
 * mention at `where.link` already, by another copy of the post), the authors of the post it answers
 * and quotes, the subscribers of its topic (a reply) or group (a new topic). A person may have
 * several rows: the caller keeps the most specific.
 */
export async function concernedUsers(
  db: Db,
  post: Post,
  where: { topicId: string; groupId: string; link: string },
): Promise<{ userId: string | null; reason: Reason; told: boolean }[]> {
  // Literals, not parameters: PostgreSQL cannot type a parameter alone in a select list.
  const reason = (r: Reason) => sql.lit(r).as("reason");
  const untold = sql.lit(false).as("told");
  let query = db
    .selectFrom("forum_mentions as m")
    .select((eb) => [
      "m.user_id",
      reason("mention"),
      eb
        .exists(
          eb
            .selectFrom("notifications as n")
            .select("n.id")
            .whereRef("n.user_id", "=", "m.user_id")
            .where("n.kind", "=", "forums:mention")
            .where("n.link", "=", where.link),
        )
        .as("told"),
    ])
    .where("m.post_id", "=", post.id)
    .where("m.user_id", "is not", null);
  // Each branch built by the union's own expression builder: one statement.
  const authorOf = (postId: string, why: Reason) =>
    query.unionAll((eb) =>
      eb
        .selectFrom("forum_posts as a")
        .select(["a.author_id as user_id", reason(why), untold])
        .where("a.id", "=", postId),
    );
  if (post.inReplyToId) query = authorOf(post.inReplyToId, "reply");
  if (post.quoteOfId) query = authorOf(post.quoteOfId, "quoted");
  query = query.unionAll((eb) => {
    const subscribers = eb
      .selectFrom("forum_subscriptions as s")
      .select(["s.user_id", reason(post.position === 1 ? "newTopic" : "newReply"), untold]);
    return post.position === 1
      ? subscribers.where("s.group_id", "=", where.groupId)
      : subscribers.where("s.topic_id", "=", where.topicId);
  });
  const rows = await query.execute();
  return rows.map((r) => ({
    userId: r.user_id,
    reason: r.reason as Reason,
    told: r.told === true,
  }));
}
