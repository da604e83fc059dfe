// Our forum posts' ActivityPub ids (a topic's opening post is `/topics/<id>`, a reply
// `/posts/<id>`; posts from elsewhere keep their own) and the threads' FEP-7888 contexts.
import type { Db } from "../db/database.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const LOCAL_OBJECT = new RegExp(`^/(topics|posts)/(${UUID})$`, "i");

export interface PostRef {
  id: string;
  topicId: string;
  position: number;
  apId: string | null;
}

export function postApId(publicUrl: URL, post: PostRef): string {
  if (post.apId) return post.apId;
  return new URL(post.position === 1 ? `/topics/${post.topicId}` : `/posts/${post.id}`, publicUrl)
    .href;
}

export function topicContext(publicUrl: URL, topic: { id: string; context: string | null }) {
  return topic.context ?? new URL(`/topics/${topic.id}/context`, publicUrl).href;
}

/** The post behind one of our object URLs (`/topics/<id>` is the topic's opening post). */
export async function findLocalPost(
  db: Db,
  publicUrl: URL,
  uri: string,
): Promise<{ id: string; topicId: string } | undefined> {
  if (!URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  if (url.origin !== publicUrl.origin) return undefined;
  const match = LOCAL_OBJECT.exec(url.pathname);
  if (!match) return undefined;
  let query = db.selectFrom("forum_posts").select(["id", "topic_id"]);
  query =
    match[1] === "topics"
      ? query.where("topic_id", "=", match[2]!).where("position", "=", 1)
      : query.where("id", "=", match[2]!);
  const row = await query.executeTakeFirst();
  return row ? { id: row.id, topicId: row.topic_id } : undefined;
}

/** A post of ours or a remote one we keep, by its ActivityPub id. */
export async function findPostByApId(db: Db, publicUrl: URL, uri: string) {
  const local = await findLocalPost(db, publicUrl, uri);
  if (local) return local;
  const row = await db
    .selectFrom("forum_posts")
    .select(["id", "topic_id"])
    .where("ap_id", "=", uri)
    .executeTakeFirst();
  return row ? { id: row.id, topicId: row.topic_id } : undefined;
}

/** The ids of a thread's visible posts, in order (at most 1000: a context is not a backup). */
export async function threadIds(db: Db, publicUrl: URL, topicId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("forum_posts")
    .select(["id", "topic_id", "position", "ap_id"])
    .where("topic_id", "=", topicId)
    .where("removed_at", "is", null)
    .orderBy("position")
    .limit(1000)
    .execute();
  return rows.map((r) =>
    postApId(publicUrl, { id: r.id, topicId: r.topic_id, position: r.position, apId: r.ap_id }),
  );
}
