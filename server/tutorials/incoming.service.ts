// What members of other instances do with our tutorials, as federation hands it over (ADR 0116):
// a comment becomes a post of the tutorial's topic through the forums' own incoming-post service
// (so it is moderated here like any post), a "Je l'ai fait !" post joins the gallery with its
// photo kept as a link, and a `Like` of the Article counts as one "useful" vote per actor. The
// tutorial's authors are told of comments and made-it posts.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { notify } from "../notifications/notifications.service.ts";
import { receivePostInGroup, type IncomingPost } from "../forums/incoming.service.ts";
import { postApId } from "../forums/post-ids.ts";
import { excerpt, plainText } from "../forums/richtext.ts";
import { discussionGroup } from "./comments.service.ts";
import { coauthorIds } from "./tutorials.repo.ts";

/** One of our published tutorials that other instances may see, locked for the change. */
async function ourTutorial(tx: Tx, id: string) {
  const row = await tx.db
    .selectFrom("tutorials")
    .select(["id", "title", "author_id", "topic_id", "status", "visibility", "remote_uri"])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.remote_uri !== null || row.status !== "published") return undefined;
  return row.visibility === "local" ? undefined : row;
}

async function tellAuthors(
  tx: Tx,
  publicUrl: URL,
  tutorial: { id: string; author_id: string | null },
  message: { kind: `tutorials:${string}`; data: Record<string, string>; anchor: string },
) {
  const authors = [tutorial.author_id, ...(await coauthorIds(tx.db, tutorial.id))];
  for (const userId of new Set(authors))
    if (userId)
      await notify(tx, publicUrl, {
        userId,
        kind: message.kind,
        data: message.data,
        link: `/tutorials/${tutorial.id}#${message.anchor}`,
      });
}

export type ReceivedComment = "created" | "updated" | "refused" | "unknown";

/**
 * A comment from elsewhere on one of our tutorials: the first one opens the tutorial's topic, the
 * others reply in it (to the post they answer when we know it, to the opening post otherwise).
 */
export async function receiveComment(
  tx: Tx,
  publicUrl: URL,
  tutorialId: string,
  post: IncomingPost,
): Promise<ReceivedComment> {
  const tutorial = await ourTutorial(tx, tutorialId);
  if (!tutorial) return "unknown";
  const group = await discussionGroup(tx);
  const opening = tutorial.topic_id
    ? await tx.db
        .selectFrom("forum_posts")
        .select(["id", "topic_id", "position", "ap_id"])
        .where("topic_id", "=", tutorial.topic_id)
        .where("position", "=", 1)
        .executeTakeFirst()
    : undefined;
  const tutorialUri = new URL(`/tutorials/${tutorial.id}`, publicUrl).href;
  const answersTutorial = post.inReplyTo === null || post.inReplyTo === tutorialUri;
  const input: IncomingPost = opening
    ? {
        ...post,
        context: null,
        inReplyTo: answersTutorial
          ? postApId(publicUrl, {
              id: opening.id,
              topicId: opening.topic_id,
              position: opening.position,
              apId: opening.ap_id,
            })
          : post.inReplyTo,
      }
    : { ...post, context: null, inReplyTo: null, title: tutorial.title.slice(0, 150) };
  const outcome = await receivePostInGroup(
    tx,
    publicUrl,
    { id: group.id, post_policy: group.postPolicy, join_policy: group.joinPolicy },
    input,
  );
  if (outcome.kind === "refused") return "refused";
  if (outcome.kind !== "created" && outcome.kind !== "updated") return "unknown";
  if (outcome.kind === "updated") return "updated";
  if (!opening)
    await tx.db
      .updateTable("tutorials")
      .set({ topic_id: outcome.topicId })
      .where("id", "=", tutorial.id)
      .execute();
  await tellAuthors(tx, publicUrl, tutorial, {
    kind: "tutorials:commented",
    data: {
      name: post.authorName,
      title: tutorial.title,
      excerpt: excerpt(plainText(post.html), 140),
    },
    anchor: "comments",
  });
  return "created";
}

export interface IncomingMade {
  apId: string;
  authorUri: string;
  authorName: string;
  authorUrl: string | null;
  html: string;
  imageUrl: string;
  alt: string;
  published: Date;
}

/** A "Je l'ai fait !" post from elsewhere; an id seen before updates its words and photo. */
export async function receiveMade(
  tx: Tx,
  publicUrl: URL,
  tutorialId: string,
  made: IncomingMade,
): Promise<"created" | "updated" | "unknown"> {
  const tutorial = await ourTutorial(tx, tutorialId);
  if (!tutorial) return "unknown";
  const body = plainText(made.html).trim().slice(0, 2000) || "—";
  const values = {
    body,
    remote_image_url: made.imageUrl,
    remote_image_alt: made.alt.slice(0, 300),
  };
  const existing = await tx.db
    .selectFrom("tutorial_made")
    .select(["id", "tutorial_id", "author_ap_id"])
    .where("ap_id", "=", made.apId)
    .executeTakeFirst();
  if (existing) {
    // Only its author changes it, and it stays under the tutorial it was written for.
    if (existing.author_ap_id !== made.authorUri || existing.tutorial_id !== tutorial.id)
      return "unknown";
    await tx.db.updateTable("tutorial_made").set(values).where("id", "=", existing.id).execute();
    return "updated";
  }
  await tx.db
    .insertInto("tutorial_made")
    .values({
      ...values,
      tutorial_id: tutorial.id,
      author_id: null,
      ap_id: made.apId,
      author_ap_id: made.authorUri,
      author_name: made.authorName.slice(0, 200),
      author_url: made.authorUrl,
      created_at: made.published,
    })
    .execute();
  await refreshMadeCount(tx.db, tutorial.id);
  await tellAuthors(tx, publicUrl, tutorial, {
    kind: "tutorials:made",
    data: { name: made.authorName, title: tutorial.title },
    anchor: "made",
  });
  return "created";
}

/** Its author deleted it elsewhere: it leaves the gallery. Whether it was one of ours. */
export async function deleteMade(tx: Tx, apId: string, authorUri: string): Promise<boolean> {
  const row = await tx.db
    .updateTable("tutorial_made")
    .set({ removed_at: new Date(), removal_reason: "—" })
    .where("ap_id", "=", apId)
    .where("author_ap_id", "=", authorUri)
    .where("removed_at", "is", null)
    .returning("tutorial_id")
    .executeTakeFirst();
  if (row) await refreshMadeCount(tx.db, row.tutorial_id);
  return row !== undefined;
}

export async function refreshMadeCount(db: Db, tutorialId: string) {
  await db
    .updateTable("tutorials")
    .set({
      made_count: sql<number>`(select count(*) from tutorial_made where tutorial_id = ${tutorialId} and removed_at is null)`,
    })
    .where("id", "=", tutorialId)
    .execute();
}

/** Our members' votes and those of other instances' actors, counted from the votes themselves. */
export async function refreshUsefulCount(db: Db, tutorialId: string) {
  await db
    .updateTable("tutorials")
    .set({
      useful_count: sql<number>`(select count(*) from tutorial_useful where tutorial_id = ${tutorialId})
        + (select count(*) from tutorial_remote_useful where tutorial_id = ${tutorialId})`,
    })
    .where("id", "=", tutorialId)
    .execute();
}

/** A `Like` of one of our tutorials (on) or its `Undo` (off): one vote per remote actor. */
export async function receiveUseful(
  tx: Tx,
  tutorialId: string,
  vote: { actorUri: string; apId: string | null; on: boolean },
): Promise<boolean> {
  const tutorial = await ourTutorial(tx, tutorialId);
  if (!tutorial) return false;
  if (vote.on)
    await tx.db
      .insertInto("tutorial_remote_useful")
      .values({ tutorial_id: tutorial.id, actor_uri: vote.actorUri, ap_id: vote.apId })
      .onConflict((oc) => oc.columns(["tutorial_id", "actor_uri"]).doNothing())
      .execute();
  else
    await tx.db
      .deleteFrom("tutorial_remote_useful")
      .where("tutorial_id", "=", tutorial.id)
      .where("actor_uri", "=", vote.actorUri)
      .execute();
  await refreshUsefulCount(tx.db, tutorial.id);
  return true;
}
