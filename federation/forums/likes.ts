// Likes across instances, as Lemmy sends them. Our member's like of a post of a group elsewhere
// goes to the group as `Like` (actor: the member's Person, object: the post, audience: the
// group), taking it back as `Undo(Like)`. A `Like` of a post of one of our federated groups counts
// once per remote actor, and the group announces it (and its Undo) to its followers.
import { Like, Undo } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import type { Db } from "../../server/db/database.ts";
import type { InboxHandler } from "../inbox/scope.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, newActivityId } from "../uris.ts";
import { FEDERATED_VISIBILITIES } from "./group-actors.ts";
import { findLocalPost, postObject } from "./objects.ts";
import { announceInGroup } from "./outbound.ts";
import { refreshLikeCount } from "../../server/forums/posts.repo.ts";

/** From the `forums.federate` job: our member's like (or unlike) of a remote group's post. */
export async function sendLike(
  tx: Tx,
  publicUrl: URL,
  job: { postId: string; userId: string; on: boolean; likeId?: string | null },
): Promise<void> {
  const found = await postObject(tx.db, publicUrl, job.postId);
  if (!found || found.groupIdentifier !== null || !found.object.id) return;
  // Only discoverable members have an actor that can sign.
  const user = await tx.db
    .selectFrom("users")
    .select("discoverable")
    .where("id", "=", job.userId)
    .executeTakeFirst();
  if (!user?.discoverable) return;
  const group = new URL(found.groupUri);
  const actor = actorUri(publicUrl, job.userId);
  if (job.on) {
    const id = newActivityId(publicUrl);
    const row = await tx.db
      .updateTable("forum_reactions")
      .set({ ap_id: id.href })
      .where("post_id", "=", job.postId)
      .where("user_id", "=", job.userId)
      .where("kind", "=", "like")
      .returning("id")
      .executeTakeFirst();
    // Taken back before this job ran: nothing to say.
    if (!row) return;
    const like = new Like({ id, actor, object: found.object.id, audience: group, to: group });
    return sendToActors(tx, job.userId, [group], like);
  }
  if (!job.likeId) return;
  const like = new Like({
    id: new URL(job.likeId),
    actor,
    object: found.object.id,
    audience: group,
    to: group,
  });
  await sendToActors(
    tx,
    job.userId,
    [group],
    new Undo({ id: newActivityId(publicUrl), actor, object: like, audience: group, to: group }),
  );
}

/** A like of a post of one of our federated groups, with that post. */
async function likedPost(db: Db, publicUrl: URL, like: Like) {
  const uri = like.objectId;
  const local = uri ? await findLocalPost(db, publicUrl, uri.href) : undefined;
  const found = local ? await postObject(db, publicUrl, local.id) : undefined;
  if (!local || !found?.groupIdentifier || found.removed) return undefined;
  if (!(FEDERATED_VISIBILITIES as readonly string[]).includes(found.visibility)) return undefined;
  return { id: local.id, found };
}

export const onLike: InboxHandler<Like> = async (like, scope) => {
  const { app } = scope.deps;
  const sender = scope.senderUri.href;
  if (like.actorId?.href !== sender) return false;
  const post = await likedPost(app.db, app.config.publicUrl, like);
  if (!post) return false;
  await app.transaction(async (tx) => {
    const added = await tx.db
      .insertInto("forum_reactions")
      .values({ post_id: post.id, actor_ap_id: sender, ap_id: like.id?.href ?? null, kind: "like" })
      .onConflict((oc) => oc.doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!added) return;
    await refreshLikeCount(tx.db, post.id);
    await announceInGroup(tx, app.config.publicUrl, post.found, like);
  });
  return true;
};

/** Undo of a Like (other Undos return false for the next handler). */
export const onUndoLike: InboxHandler<Undo> = async (undo, scope) => {
  const { app } = scope.deps;
  const inner = await undo.getObject({ crossOrigin: "ignore" }).catch(() => null);
  if (!(inner instanceof Like)) return false;
  const sender = scope.senderUri.href;
  if (undo.actorId?.href !== sender) return true;
  const post = await likedPost(app.db, app.config.publicUrl, inner);
  if (!post) return true;
  await app.transaction(async (tx) => {
    const removed = await tx.db
      .deleteFrom("forum_reactions")
      .where("post_id", "=", post.id)
      .where("actor_ap_id", "=", sender)
      .where("kind", "=", "like")
      .returning("id")
      .executeTakeFirst();
    if (!removed) return;
    await refreshLikeCount(tx.db, post.id);
    await announceInGroup(tx, app.config.publicUrl, post.found, undo);
  });
  return true;
};
