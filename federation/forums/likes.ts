// Likes across instances, as Lemmy sends them. Our member's like of a post of a group elsewhere
// goes to the group as `Like` (actor: the member's Person, object: the post, audience: the
// group), taking it back as `Undo(Like)`. A `Like` of a post of one of our federated groups counts
// once per remote actor, and the group announces it (and its Undo) to its followers.
import { Like, Undo } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import type { Db } from "../../server/db/database.ts";
import { findLocalPost } from "../../server/forums/post-ids.ts";
import {
  likeFromRemote,
  recordLikeActivity,
  unlikeFromRemote,
} from "../../server/forums/remote-groups.service.ts";
import { route } from "../inbox/route.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, newActivityId } from "../uris.ts";
import { announceInGroup } from "./announce.ts";
import { FEDERATED_VISIBILITIES } from "./group-actors.ts";
import { postObject } from "./objects.ts";

/** From the `forums.federate` job: our member's like (or unlike) of a remote group's post. */
export async function sendLike(
  tx: Tx,
  publicUrl: URL,
  job: { postId: string; userId: string; on: boolean; likeId?: string | null },
): Promise<void> {
  const found = await postObject(tx.db, publicUrl, job.postId);
  if (!found || found.groupIdentifier !== null || !found.object.id) return;
  // Confirmed members have an actor that can sign, listed or not (ADR 0087).
  const user = await tx.db
    .selectFrom("users")
    .select("email_confirmed_at")
    .where("id", "=", job.userId)
    .executeTakeFirst();
  if (!user?.email_confirmed_at) return;
  const group = new URL(found.groupUri);
  const actor = actorUri(publicUrl, job.userId);
  if (job.on) {
    const id = newActivityId(publicUrl);
    // Taken back before this job ran: nothing to say.
    if (!(await recordLikeActivity(tx, { postId: job.postId, userId: job.userId, apId: id.href })))
      return;
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

const onLike = route<Like>({
  name: "forums.like",
  activity: "Like",
  object: "*",
  async handle(input) {
    const { app } = input.deps;
    const like = input.activity;
    const sender = input.senderUri.href;
    if (like.actorId?.href !== sender) return false;
    const post = await likedPost(app.db, app.config.publicUrl, like);
    if (!post) return false;
    await app.transaction(async (tx) => {
      const postId = post.id;
      if (await likeFromRemote(tx, { postId, actorUri: sender, apId: like.id?.href ?? null }))
        await announceInGroup(tx, app.config.publicUrl, post.found, like);
    });
    return true;
  },
});

const onUndoLike = route<Undo>({
  name: "forums.unlike",
  activity: "Undo",
  object: "Like",
  async handle(input) {
    const { app } = input.deps;
    const inner = await input.object();
    if (!(inner instanceof Like)) return false;
    const sender = input.senderUri.href;
    if (input.activity.actorId?.href !== sender) return true;
    const post = await likedPost(app.db, app.config.publicUrl, inner);
    if (!post) return true;
    await app.transaction(async (tx) => {
      if (await unlikeFromRemote(tx, { postId: post.id, actorUri: sender }))
        await announceInGroup(tx, app.config.publicUrl, post.found, input.activity);
    });
    return true;
  },
});

export const likesInbox = [onLike, onUndoLike];
