// What our members do with a remote tutorial goes to its instance, where it is kept and moderated
// (ADR 0116): a comment is a `Note` in reply to the Article; a "Je l'ai fait !" post is a `Note`
// in reply to it with its photo as an `Image` attachment and the `#JeLaiFait` hashtag (the mark
// its instance reads); a "useful" vote is a `Like` of the Article, taken back by `Undo(Like)`.
// Sent from the member's own actor to the actor that published the tutorial.
import "../temporal.ts";
import { Create, Hashtag, Image, Like, Note, Undo } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { postApId } from "../../server/forums/post-ids.ts";
import { findRemoteActor } from "../actors/remote.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, newActivityId } from "../uris.ts";

/** The hashtag that marks a Note in reply to a tutorial as a "Je l'ai fait !" post. */
export const MADE_TAG = "#JeLaiFait";

export function madeTagHref(tutorialUri: URL | string): URL {
  return new URL(`${new URL(tutorialUri).href}#made`);
}

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** The remote tutorial, its publisher, and whether the member has an actor that can sign. */
async function target(tx: Tx, tutorialId: string, userId: string) {
  const tutorial = await tx.db
    .selectFrom("tutorials")
    .select(["remote_uri", "remote_actor_id"])
    .where("id", "=", tutorialId)
    .executeTakeFirst();
  if (!tutorial?.remote_uri || tutorial.remote_actor_id === null) return undefined;
  // Confirmed members have an actor that can sign (ADR 0087).
  const user = await tx.db
    .selectFrom("users")
    .select("email_confirmed_at")
    .where("id", "=", userId)
    .executeTakeFirst();
  if (!user?.email_confirmed_at) return undefined;
  const publisher = await findRemoteActor(tx.db, { id: tutorial.remote_actor_id });
  if (!publisher) return undefined;
  return { uri: new URL(tutorial.remote_uri), publisher: new URL(publisher.uri) };
}

export async function sendComment(
  tx: Tx,
  publicUrl: URL,
  input: { tutorialId: string; postId: string; userId: string },
): Promise<void> {
  const to = await target(tx, input.tutorialId, input.userId);
  if (!to) return;
  const post = await tx.db
    .selectFrom("forum_posts")
    .select(["id", "topic_id", "position", "ap_id", "content_html", "created_at"])
    .where("id", "=", input.postId)
    .executeTakeFirstOrThrow();
  const actor = actorUri(publicUrl, input.userId);
  const note = new Note({
    id: new URL(
      postApId(publicUrl, {
        id: post.id,
        topicId: post.topic_id,
        position: post.position,
        apId: post.ap_id,
      }),
    ),
    attribution: actor,
    content: post.content_html,
    replyTarget: to.uri,
    contexts: [new URL(`${to.uri.href}#conversation`)],
    published: instant(post.created_at),
    tos: [to.publisher],
  });
  await sendNote(tx, publicUrl, input.userId, to.publisher, note);
}

/** The member's Note, created and sent to the tutorial's publisher only. */
async function sendNote(tx: Tx, publicUrl: URL, userId: string, publisher: URL, note: Note) {
  const create = new Create({
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, userId),
    object: note,
    tos: [publisher],
  });
  await sendToActors(tx, userId, [publisher], create);
}

export async function sendMade(
  tx: Tx,
  publicUrl: URL,
  input: { tutorialId: string; madeId: string; userId: string },
): Promise<void> {
  const to = await target(tx, input.tutorialId, input.userId);
  if (!to) return;
  const made = await tx.db
    .selectFrom("tutorial_made as m")
    .innerJoin("tutorial_images as i", "i.made_id", "m.id")
    .select(["m.id", "m.body", "m.created_at", "i.id as image_id", "i.alt"])
    .where("m.id", "=", input.madeId)
    .executeTakeFirstOrThrow();
  const actor = actorUri(publicUrl, input.userId);
  const note = new Note({
    id: new URL(`/tutorials/${input.tutorialId}/made/${made.id}`, publicUrl),
    attribution: actor,
    content: made.body
      .split(/\n{2,}/)
      .map((p) => `<p>${escapeHtml(p).replaceAll("\n", "<br>")}</p>`)
      .join(""),
    replyTarget: to.uri,
    contexts: [new URL(`${to.uri.href}#conversation`)],
    published: instant(made.created_at),
    tos: [to.publisher],
    attachments: [
      new Image({
        url: new URL(`/tutorials/made/${made.id}/photo`, publicUrl),
        mediaType: "image/jpeg",
        name: made.alt,
      }),
    ],
    tags: [new Hashtag({ name: MADE_TAG, href: madeTagHref(to.uri) })],
  });
  await sendNote(tx, publicUrl, input.userId, to.publisher, note);
}

export async function sendVote(
  tx: Tx,
  publicUrl: URL,
  input: { tutorialId: string; userId: string; on: boolean; likeId: string | null },
): Promise<string | null> {
  const to = await target(tx, input.tutorialId, input.userId);
  if (!to) return null;
  const actor = actorUri(publicUrl, input.userId);
  if (input.on) {
    const id = newActivityId(publicUrl);
    const like = new Like({ id, actor, object: to.uri, tos: [to.publisher] });
    await sendToActors(tx, input.userId, [to.publisher], like);
    return id.href;
  }
  // A vote older than its Like's id (none recorded): the Undo names a Like of the same actor and
  // object, which is what the other side matches.
  const like = new Like({
    id: input.likeId ? new URL(input.likeId) : newActivityId(publicUrl),
    actor,
    object: to.uri,
    tos: [to.publisher],
  });
  await sendToActors(
    tx,
    input.userId,
    [to.publisher],
    new Undo({ id: newActivityId(publicUrl), actor, object: like, tos: [to.publisher] }),
  );
  return null;
}
