// What the forums send, from the `forums.federate` job (queued by the forum services inside their
// transaction, so it runs only after commit):
// - a post in one of our federated groups: the group announces the author's Create/Update to its
//   followers (FEP-1b12); a removal: the group announces a Delete with the reason as `summary`;
// - a post of a member of ours in a remote group: Create/Update sent to the group's inbox;
// - in both, mentions become `Mention` tags and mentioned remote actors are in `cc` and receive
//   the post (mentions.ts);
// - a like of a member of ours on a remote group's post: Like or Undo(Like) to the group;
// - a report about a remote group's post: a Flag by the instance actor to the group;
// - a topic locked or unlocked in one of our federated groups: Lemmy's `Lock`, or `Undo(Lock)`,
//   announced by the group;
// - a topic pinned or unpinned there: `Add` or `Remove` to the group's featured collection,
//   announced by the group (pins.ts);
// - a removed post restored there: `Undo` of the group's `Delete`, announced; for a topic also
//   the Undo of its context's Delete and the opening post's Create again (restores.ts);
// - a topic moved between two of our groups: a `Move`, announced by each (moves.ts).
import "../temporal.ts";
import {
  Activity,
  Block,
  Create,
  Delete,
  Flag,
  Page,
  PUBLIC_COLLECTION,
  Undo,
  Update,
} from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { markReportForwarded } from "../../server/forums/remote-groups.service.ts";
import { publish, publishToFollowers, sendToActors } from "../outbox.ts";
import type { FederationRuntime } from "../deps.ts";
import { actorUri, INSTANCE_ACTOR, newActivityId } from "../uris.ts";
import { addressing, announceInGroup, federates } from "./announce.ts";
import { FEDERATED_VISIBILITIES } from "./group-actors.ts";
import { sendLike } from "./likes.ts";
import { notFollowers, outgoingMentions } from "./mentions.ts";
import { openingPostObject, postObject, type PostObject } from "./objects.ts";
import { sendPin } from "./pins.ts";
import { sendRestore } from "./restores.ts";
import { sendMove } from "./moves.ts";

export type FederateJob =
  | { action: "create" | "update"; postId: string }
  | { action: "remove"; postId: string; reason: string; byAuthor?: boolean }
  | { action: "restore"; postId: string; reason: string }
  | { action: "report"; reportId: string }
  | { action: "block"; banId: string }
  | { action: "lock"; topicId: string; reason: string }
  | { action: "unlock"; topicId: string; reason: string }
  | { action: "pin"; topicId: string; reason: string }
  | { action: "unpin"; topicId: string; reason: string }
  | { action: "move"; topicId: string; fromGroupId: string; reason: string }
  | { action: "group"; groupId: string }
  | { action: "like"; postId: string; userId: string }
  | { action: "unlike"; postId: string; userId: string; likeId: string | null };

export async function federateForums(runtime: FederationRuntime, job: FederateJob): Promise<void> {
  const { app } = runtime;
  const publicUrl = app.config.publicUrl;
  // WebFinger look-ups of mentioned people happen here, before the transaction.
  const mentions =
    job.action === "create" || job.action === "update" || job.action === "restore"
      ? await outgoingMentions(runtime, job.postId)
      : { tags: [], remote: [], authorHasActor: false };
  await app.transaction(async (tx) => {
    if (job.action === "report") return sendReport(tx, publicUrl, job.reportId);
    if (job.action === "block") return sendBlock(tx, publicUrl, job.banId);
    if (job.action === "group") return sendGroupUpdate(tx, publicUrl, job.groupId);
    if (job.action === "move")
      return sendMove(tx, publicUrl, job.topicId, job.fromGroupId, job.reason);
    if (job.action === "like" || job.action === "unlike")
      return sendLike(tx, publicUrl, { ...job, on: job.action === "like" });
    if (job.action === "pin" || job.action === "unpin")
      return sendPin(tx, publicUrl, job.topicId, job.action === "pin", job.reason);
    if (job.action === "lock" || job.action === "unlock")
      return sendLock(tx, publicUrl, job.topicId, job.action === "lock", job.reason);
    const found = await postObject(tx.db, publicUrl, job.postId);
    if (!found) return;
    const groupUri = new URL(found.groupUri);
    if (job.action === "remove" && job.byAuthor) return sendOwnDelete(tx, publicUrl, found);
    if (job.action === "restore") return sendRestore(tx, publicUrl, found, job.reason, mentions);
    if (job.action === "remove") {
      if (!federates(found)) return;
      const del = new Delete({
        id: newActivityId(publicUrl),
        actor: groupUri,
        object: found.object.id,
        summary: job.reason,
        audience: groupUri,
        ...addressing(found, publicUrl),
      });
      await announceInGroup(tx, publicUrl, found, del);
      // A removed topic: its FEP-7888 context is deleted too, by the group that owns it (forum
      // software removes threads by their context, not by their first post).
      const context = found.object instanceof Page ? found.object.contextIds[0] : undefined;
      if (context && context.origin === publicUrl.origin && found.groupIdentifier)
        await publishToFollowers(
          tx,
          found.groupIdentifier,
          new Delete({
            id: newActivityId(publicUrl),
            actor: groupUri,
            object: context,
            summary: job.reason,
            audience: groupUri,
            ...addressing(found, publicUrl),
          }),
        );
      return;
    }
    // Only what our members write goes out as their activity; remote posts were announced
    // when they arrived.
    if (!found.authorId || !found.authorUri || found.removed) return;
    const Class = job.action === "create" ? Create : Update;
    const object = mentions.tags.length
      ? found.object.clone({ tags: mentions.tags, ccs: mentions.remote })
      : found.object;
    const activity = new Class({
      id: newActivityId(publicUrl),
      actor: new URL(found.authorUri),
      object,
      tos: found.object.toIds,
      ccs: mentions.remote,
      audience: groupUri,
    });
    if (federates(found)) {
      await announceInGroup(tx, publicUrl, found, activity);
      // Mentioned people whom the group's Announce does not reach get the author's Create (the
      // author needs an actor: every confirmed member has one).
      const direct = await notFollowers(tx.db, found.groupIdentifier!, mentions.remote);
      if (direct.length && mentions.authorHasActor)
        await sendToActors(tx, found.authorId, direct, activity);
      return;
    }
    if (found.groupIdentifier === null)
      await sendToActors(tx, found.authorId, [groupUri, ...mentions.remote], activity);
  });
}

/**
 * Our member deleted their own post: the Delete is theirs (so peers show "deleted by its author",
 * not a moderation), announced by our group or sent to the remote group that relays it.
 */
async function sendOwnDelete(tx: Tx, publicUrl: URL, found: PostObject): Promise<void> {
  if (!found.authorId || !found.authorUri) return;
  const groupUri = new URL(found.groupUri);
  const own = {
    id: newActivityId(publicUrl),
    actor: new URL(found.authorUri),
    object: found.object.id,
    audience: groupUri,
  };
  if (federates(found))
    return announceInGroup(
      tx,
      publicUrl,
      found,
      new Delete({ ...own, ...addressing(found, publicUrl) }),
    );
  if (found.groupIdentifier === null)
    await sendToActors(
      tx,
      found.authorId,
      [groupUri],
      new Delete({ ...own, tos: found.object.toIds }),
    );
}

async function sendReport(tx: Tx, publicUrl: URL, reportId: string): Promise<void> {
  const report = await tx.db
    .selectFrom("forum_reports as r")
    .innerJoin("forum_groups as g", "g.id", "r.group_id")
    .innerJoin("forum_posts as p", "p.id", "r.post_id")
    .select(["r.reason", "g.ap_id as group_ap_id", "g.host", "p.ap_id as post_ap_id"])
    .where("r.id", "=", reportId)
    .where("r.forwarded_at", "is", null)
    .executeTakeFirst();
  if (!report?.host || !report.group_ap_id || !report.post_ap_id) return;
  const group = new URL(report.group_ap_id);
  await sendToActors(
    tx,
    INSTANCE_ACTOR,
    [group],
    new Flag({
      id: newActivityId(publicUrl),
      actor: actorUri(publicUrl, INSTANCE_ACTOR),
      object: new URL(report.post_ap_id),
      summary: report.reason,
      // Microblogging software reads the reporter's comment from `content`.
      content: report.reason,
      to: group,
      audience: group,
    }),
  );
  await markReportForwarded(tx, reportId);
}

/** A ban of a remote actor from one of our federated groups: Block, to followers and to them. */
async function sendBlock(tx: Tx, publicUrl: URL, banId: string): Promise<void> {
  const ban = await tx.db
    .selectFrom("forum_bans as b")
    .innerJoin("forum_groups as g", "g.id", "b.group_id")
    .select(["b.actor_ap_id", "b.reason", "b.expires_at", "g.slug", "g.host", "g.visibility"])
    .where("b.id", "=", banId)
    .executeTakeFirst();
  if (!ban?.actor_ap_id || ban.host !== null) return;
  if (!(FEDERATED_VISIBILITIES as readonly string[]).includes(ban.visibility)) return;
  const group = actorUri(publicUrl, ban.slug);
  const target = new URL(ban.actor_ap_id);
  await publish(
    tx,
    ban.slug,
    new Block({
      id: newActivityId(publicUrl),
      actor: group,
      object: target,
      target: group,
      summary: ban.reason,
      endTime: ban.expires_at ? Temporal.Instant.from(ban.expires_at.toISOString()) : null,
      to: ban.visibility === "public" ? PUBLIC_COLLECTION : new URL(`${group.href}/followers`),
      cc: target,
      audience: group,
    }),
    { followers: true, to: [target] },
  );
}

/** The group's name or description changed: followers fetch its actor again. */
async function sendGroupUpdate(tx: Tx, publicUrl: URL, groupId: string): Promise<void> {
  const group = await tx.db
    .selectFrom("forum_groups")
    .select(["slug", "host", "visibility"])
    .where("id", "=", groupId)
    .executeTakeFirst();
  if (!group || group.host !== null) return;
  if (!(FEDERATED_VISIBILITIES as readonly string[]).includes(group.visibility)) return;
  const actor = actorUri(publicUrl, group.slug);
  await publishToFollowers(
    tx,
    group.slug,
    new Update({
      id: newActivityId(publicUrl),
      actor,
      object: actor,
      to: group.visibility === "public" ? PUBLIC_COLLECTION : new URL(`${actor.href}/followers`),
    }),
  );
}

/**
 * A topic of one of our federated groups locked or unlocked, as Lemmy sends it: the group
 * announces a `Lock` of the topic's Page, or an `Undo` of one. Fedify's vocabulary has no `Lock`,
 * and when the delivery job reads the stored activity back it turns an embedded object of an
 * unknown type into a bare Object (type, `actor` and `object` dropped). So the Lock is built as a
 * plain Activity and its compact form, typed `Lock`, travels as object extras (ADR 0044).
 */
async function sendLock(
  tx: Tx,
  publicUrl: URL,
  topicId: string,
  locked: boolean,
  reason: string,
): Promise<void> {
  const found = await openingPostObject(tx.db, publicUrl, topicId);
  if (!found || !federates(found) || !found.object.id) return;
  const group = new URL(found.groupUri);
  const common = { actor: group, summary: reason || null, audience: group };
  const lock = new Activity({
    id: newActivityId(publicUrl),
    object: found.object.id,
    ...common,
    ...addressing(found, publicUrl),
  });
  const json = (await lock.toJsonLd({ format: "compact" })) as Record<string, unknown>;
  delete json["@context"];
  const asLock = { ...json, type: "Lock" };
  if (locked) return announceInGroup(tx, publicUrl, found, lock, { context: {}, fields: asLock });
  const undo = new Undo({
    id: newActivityId(publicUrl),
    object: lock,
    ...common,
    ...addressing(found, publicUrl),
  });
  await announceInGroup(tx, publicUrl, found, undo, { context: {}, fields: { object: asLock } });
}
