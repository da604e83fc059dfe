// Topics and replies as ActivityStreams objects: a topic's opening post is a `Page` (name = the
// title) at `/topics/<id>`, a reply a `Note` with `inReplyTo` at `/posts/<id>`; both carry the
// group as `audience` and the thread's FEP-7888 `context` (`/topics/<id>/context` for threads
// started here). Served by content negotiation at those URLs (browsers get the pages).
import "../temporal.ts";
import type { Federation, RequestContext } from "@fedify/fedify";
import { Image, Note, Page, PUBLIC_COLLECTION } from "@fedify/vocab";
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import { findLocalPost, postApId, topicContext } from "../../server/forums/post-ids.ts";
import type { FederationDeps } from "../deps.ts";
import { actorUri, hostOf } from "../uris.ts";
import { allowedSigner } from "../signed.ts";
import type { ObjectAccessCheck } from "../activities.ts";
import { registerFeatured } from "./pins.ts";
import { mentionTags } from "./mentions.ts";

export interface PostObject {
  object: Page | Note;
  groupId: string;
  /** The group's actor URI (ours or remote). */
  groupUri: string;
  /** Identifier of the local group actor; null for a remote group. */
  groupIdentifier: string | null;
  visibility: string;
  authorId: string | null;
  authorUri: string | null;
  removed: boolean;
}

/** A post's uploaded pictures, in the order they were added, read with the post itself. */
interface StoredImage {
  id: string;
  content_type: string;
  description: string | null;
}

/**
 * The images uploaded with a post written here, as `Image` attachments with their alt text
 * (`name`), as Lemmy and NodeBB send them. Only for public groups: other servers fetch pictures
 * unsigned, and those of other groups are served to their readers only.
 */
function postImages(publicUrl: URL, rows: readonly StoredImage[]): Image[] {
  return rows.map(
    (a) =>
      new Image({
        url: new URL(`/forums/media/${a.id}`, publicUrl),
        mediaType: a.content_type,
        name: a.description || null,
      }),
  );
}

/** The object of a post, addressed to its group; undefined if the post is gone. */
export async function postObject(
  db: Db,
  publicUrl: URL,
  postId: string,
): Promise<PostObject | undefined> {
  const row = await db
    .selectFrom("forum_posts as p")
    .innerJoin("forum_topics as t", "t.id", "p.topic_id")
    .innerJoin("forum_groups as g", "g.id", "p.group_id")
    .leftJoin("forum_posts as parent", "parent.id", "p.in_reply_to_id")
    .select([
      "p.id",
      "p.topic_id",
      "p.position",
      "p.ap_id",
      "p.author_id",
      "p.author_ap_id",
      "p.content_html",
      "p.created_at",
      "p.edited_at",
      "p.removed_at",
      "p.in_reply_to_ap_id",
      "t.title",
      "t.context",
      "g.id as group_id",
      "g.slug",
      "g.host",
      "g.ap_id as group_ap_id",
      "g.visibility",
      "parent.id as parent_id",
      "parent.position as parent_position",
      "parent.ap_id as parent_ap_id",
      // Its pictures in the same statement (one round trip per post object, not two).
      sql<StoredImage[]>`coalesce((
        select json_agg(json_build_object(
          'id', a.id, 'content_type', a.content_type, 'description', a.description
        ) order by a.created_at)
        from forum_attachments a
        where a.post_id = p.id and a.data is not null
      ), '[]')`.as("images"),
    ])
    .where("p.id", "=", postId)
    .executeTakeFirst();
  if (!row) return undefined;
  const groupUri = row.host ? row.group_ap_id! : actorUri(publicUrl, row.slug).href;
  const authorUri = row.author_id
    ? actorUri(publicUrl, row.author_id).href
    : (row.author_ap_id ?? null);
  const id = new URL(
    postApId(publicUrl, {
      id: row.id,
      topicId: row.topic_id,
      position: row.position,
      apId: row.ap_id,
    }),
  );
  const isPublic = row.visibility === "public";
  const common = {
    attachments: isPublic ? postImages(publicUrl, row.images) : [],
    id,
    url: id,
    attribution: authorUri ? new URL(authorUri) : null,
    content: row.content_html,
    mediaType: "text/html",
    audience: new URL(groupUri),
    tos: isPublic ? [new URL(groupUri), PUBLIC_COLLECTION] : [new URL(groupUri)],
    contexts: [new URL(topicContext(publicUrl, { id: row.topic_id, context: row.context }))],
    published: Temporal.Instant.from(row.created_at.toISOString()),
    updated: row.edited_at ? Temporal.Instant.from(row.edited_at.toISOString()) : null,
  };
  let object: Page | Note;
  if (row.position === 1) {
    object = new Page({ ...common, name: row.title });
  } else {
    const parent = row.parent_id
      ? postApId(publicUrl, {
          id: row.parent_id,
          topicId: row.topic_id,
          position: row.parent_position!,
          apId: row.parent_ap_id,
        })
      : row.in_reply_to_ap_id;
    object = new Note({ ...common, replyTarget: parent ? new URL(parent) : null });
  }
  return {
    object,
    groupId: row.group_id,
    groupUri,
    groupIdentifier: row.host ? null : row.slug,
    visibility: row.visibility,
    authorId: row.author_id,
    authorUri,
    removed: row.removed_at !== null,
  };
}

/**
 * Who may read one of our posts now, by its URI: posts written here (ids are ours), not removed,
 * in our public or network groups, or by our members in groups elsewhere. Undefined for a URI
 * that is not a post's.
 */
export function postAccess(deps: FederationDeps): ObjectAccessCheck {
  const { db, config } = deps.app;
  return async (uri, signer) => {
    if (uri.origin !== config.publicUrl.origin || !POST_PATH.test(uri.pathname)) return undefined;
    const local = await findLocalPost(db, config.publicUrl, uri.href);
    const found = local ? await postObject(db, config.publicUrl, local.id) : undefined;
    if (!found || found.removed) return "gone";
    return (await readable(found, signer)) ? "visible" : "hidden";
  };
}

const POST_PATH = /^\/(topics|posts)\/[^/]+$/;

async function readable(found: PostObject, signer: () => Promise<string | null>) {
  if (found.visibility === "local" || found.visibility === "private") return false;
  if (found.groupIdentifier === null) {
    if (!found.authorId) return false;
    // In a remote group that is not public, the post's audience is the group's followers: it
    // reaches them through the group, so only the group's instance fetches it (ADR 0085).
    if (found.visibility !== "public") return (await signer()) === hostOf(found.groupUri);
    return true;
  }
  // Network groups: only signed fetches by allowed instances (authorized fetch).
  return found.visibility !== "network" || (await signer()) !== null;
}

export function registerForumObjects(federation: Federation<void>, deps: FederationDeps): void {
  registerFeatured(federation, deps);
  const { db, config } = deps.app;
  const serve = async (ctx: RequestContext<void>, kind: "topics" | "posts", id: string) => {
    const local = await findLocalPost(
      db,
      config.publicUrl,
      new URL(`/${kind}/${id}`, config.publicUrl).href,
    );
    if (!local) return null;
    const found = await postObject(db, config.publicUrl, local.id);
    if (!found || found.removed) return null;
    if (!(await readable(found, () => allowedSigner(ctx, deps)))) return null;
    // The same `Mention` tags and `cc` as the Create we sent (outbound.ts).
    const mentions = await mentionTags(deps, local.id);
    return mentions.tags.length
      ? found.object.clone({ tags: mentions.tags, ccs: mentions.remote })
      : found.object;
  };
  federation.setObjectDispatcher(Page, "/topics/{id}", async (ctx, { id }) => {
    const object = await serve(ctx, "topics", id);
    return object instanceof Page ? object : null;
  });
  federation.setObjectDispatcher(Note, "/posts/{id}", async (ctx, { id }) => {
    const object = await serve(ctx, "posts", id);
    return object instanceof Note ? object : null;
  });
}

/** The object of a topic's opening post (what a lock or a pin of the topic is about). */
export async function openingPostObject(
  db: Db,
  publicUrl: URL,
  topicId: string,
): Promise<PostObject | undefined> {
  const opening = await db
    .selectFrom("forum_posts")
    .select("id")
    .where("topic_id", "=", topicId)
    .where("position", "=", 1)
    .executeTakeFirst();
  return opening && postObject(db, publicUrl, opening.id);
}
