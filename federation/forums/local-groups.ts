// Activities sent to our own groups by remote actors: members' posts (`Create`/`Update` of Page,
// Article or Note, checked then announced by the group to its followers), authors' deletions,
// reports (`Flag`) and follows of banned actors.
import {
  Reject,
  type Create,
  type Delete,
  type Flag,
  type Follow,
  type Update,
} from "@fedify/vocab";
import type { InboxHandler, InboxScope } from "../inbox/scope.ts";
import { sendToActors } from "../outbox.ts";
import { hostOf, newActivityId } from "../uris.ts";
import {
  actorBanned,
  incomingPost,
  isPostLike,
  localGroupAmong,
  targetsOf,
  type GroupRow,
} from "./inbound-shared.ts";
import { findLocalPost, findPostByApId, postObject } from "./objects.ts";
import { announceInGroup } from "./outbound.ts";
import { onMentioningPost } from "./mentions.ts";
import { onModerationFromGroupHost } from "./remote-groups.ts";
import { removeIncoming, storeIncoming } from "./store.ts";

type Refusal = "banned" | "moderators_only" | "locked" | "not_author";

async function refusal(
  scope: InboxScope,
  group: GroupRow,
  replyTo: string | null,
): Promise<Refusal | undefined> {
  const { db, config } = scope.deps.app;
  if (await actorBanned(db, group.id, scope.senderUri.href)) return "banned";
  if (group.post_policy === "moderators") return "moderators_only";
  if (!replyTo) return group.post_policy === "members" ? undefined : "moderators_only";
  const parent = await findPostByApId(db, config.publicUrl, replyTo);
  if (!parent) return undefined;
  const topic = await db
    .selectFrom("forum_topics")
    .select(["locked_at", "removed_at"])
    .where("id", "=", parent.topicId)
    .executeTakeFirstOrThrow();
  return topic.locked_at || topic.removed_at ? "locked" : undefined;
}

/** Create or Update of a post for one of our groups, or for a remote group we follow. */
async function onPostActivity(activity: Create | Update, scope: InboxScope): Promise<boolean> {
  const { app } = scope.deps;
  const object = await activity.getObject({ crossOrigin: "ignore" }).catch(() => null);
  if (!isPostLike(object)) return false;
  const targets = targetsOf(object, activity);
  let group = await localGroupAmong(app.db, scope.fed, targets);
  if (!group && object.replyTargetId) {
    const parent = await findLocalPost(app.db, app.config.publicUrl, object.replyTargetId.href);
    const found = parent ? await postObject(app.db, app.config.publicUrl, parent.id) : undefined;
    if (found?.groupIdentifier)
      group = await localGroupAmong(app.db, scope.fed, [new URL(found.groupUri)]);
  }
  // Addressed to a remote group: its Announce is what counts, unless the post is here because
  // it mentions our members and we do not follow the group.
  if (!group) return onMentioningPost(activity, object, targets, scope);
  const sender = scope.senderUri.href;
  if (object.attributionId?.href !== sender || !object.id || hostOf(object.id) !== hostOf(sender))
    return true;
  const input = await incomingPost(scope.deps, scope.fed, object);
  if (!input) return true;
  const refused = await refusal(scope, group, input.inReplyTo);
  if (refused) {
    app.log.info({ actor: sender, group: group.slug, refused }, "post refused by the group");
    return true;
  }
  await app.transaction(async (tx) => {
    const outcome = await storeIncoming(tx, app.config.publicUrl, group.id, input);
    if (outcome.kind !== "created" && outcome.kind !== "updated") return;
    const found = await postObject(tx.db, app.config.publicUrl, outcome.postId);
    if (found) await announceInGroup(tx, app.config.publicUrl, found, activity);
  });
  return true;
}

export const onCreateInGroup: InboxHandler<Create> = onPostActivity;
export const onUpdateInGroup: InboxHandler<Update> = onPostActivity;

/** Delete of a post: by its author (our group announces the removal), or by a remote group's
 * moderators (applied like an announced one). */
export const onDeleteInGroup: InboxHandler<Delete> = async (del, scope) => {
  const { app } = scope.deps;
  const uri = del.objectId;
  if (!uri) return false;
  const post = await findPostByApId(app.db, app.config.publicUrl, uri.href);
  if (!post) return false;
  const found = await postObject(app.db, app.config.publicUrl, post.id);
  if (!found) return false;
  if (!found.groupIdentifier) return onModerationFromGroupHost(del, scope);
  if (found.authorUri !== scope.senderUri.href) return true;
  await app.transaction(async (tx) => {
    await removeIncoming(tx, app.config.publicUrl, post, {
      reason: "Supprimé par son auteur",
      by: found.authorUri!,
    });
    await announceInGroup(tx, app.config.publicUrl, found, del);
  });
  return true;
};

/** A report (Flag) about posts of our groups, from another instance: into the group's queue. */
export const onFlag: InboxHandler<Flag> = async (flag, scope) => {
  const { app } = scope.deps;
  let handled = false;
  for (const uri of flag.objectIds) {
    const local = await findLocalPost(app.db, app.config.publicUrl, uri.href);
    const post = local
      ? await app.db
          .selectFrom("forum_posts")
          .select(["id", "group_id", "text_plain"])
          .where("id", "=", local.id)
          .executeTakeFirst()
      : undefined;
    if (!post) continue;
    await app.db
      .insertInto("forum_reports")
      .values({
        group_id: post.group_id,
        post_id: post.id,
        reporter_ap_id: scope.senderUri.href,
        reason: flag.summary?.toString().trim() || "—",
        content_snapshot: post.text_plain,
        ap_id: flag.id?.href ?? null,
      })
      .onConflict((oc) => oc.column("ap_id").doNothing())
      .execute();
    handled = true;
  }
  return handled;
};

/** A banned actor's Follow of one of our groups is rejected; other follows go on. */
export const onFollowGroup: InboxHandler<Follow> = async (follow, scope) => {
  const { app } = scope.deps;
  const group = await localGroupAmong(app.db, scope.fed, [follow.objectId]);
  if (!group || !(await actorBanned(app.db, group.id, scope.senderUri.href))) return false;
  await app.transaction((tx) =>
    sendToActors(
      tx,
      group.slug,
      [scope.senderUri],
      new Reject({
        id: newActivityId(app.config.publicUrl),
        actor: follow.objectId,
        object: follow,
        to: scope.senderUri,
      }),
    ),
  );
  return true;
};
