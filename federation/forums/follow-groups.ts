// Our members follow remote groups (Maillage, Lemmy, PieFed, Mbin, NodeBB…) by handle or URL: the
// forums service gives the group a local entry and the membership, this side finds the group,
// sends the Follow from the member's own actor, and a job backfills the group's history from its
// outbox.
import type { Context } from "@fedify/fedify";
import {
  Announce,
  Collection,
  Create,
  Follow,
  traverseCollection,
  Undo,
  Update,
} from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import type { FindGroupError, RemoteGroupActor } from "../../server/forums/forums.port.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import { findRemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { deleteFollow, findFollow } from "../follows/follows.repo.ts";
import { follow } from "../follows/follows.service.ts";
import { sendToActors } from "../outbox.ts";
import type { FederationRuntime } from "../deps.ts";
import { tolerate } from "../tolerate.ts";
import { actorUri, newActivityId } from "../uris.ts";
import { isPostLike, type GroupRow } from "./inbound-shared.ts";
import { applyGroupActivity } from "./remote-groups.ts";

/** Backfill reads at most this many outbox items (newest first), then stores them oldest first. */
export const BACKFILL_MAX = 400;

/** A group elsewhere, for our member `userId` to follow (who must have an actor). */
export async function findRemoteGroup(
  runtime: FederationRuntime,
  userId: string,
  target: string,
): Promise<Result<RemoteGroupActor, FindGroupError>> {
  // The group's instance fetches the member's actor to check the Follow's signature.
  if (!(await runtime.actors.byIdentifier(userId))) return fail("not_discoverable");
  // Lemmy writes community handles with "!" (!velo@lemmy.example).
  const found = await runtime.lookup(target.trim().replace(/^!/, "@"));
  if (!found.ok) return found;
  return found.value.type === "Group" ? ok(found.value) : fail("not_group");
}

/** The member's Follow of the group (`findRemoteGroup` checked they have an actor), and the
 * backfill of its history after commit. */
export async function followGroup(
  runtime: FederationRuntime,
  tx: Tx,
  userId: string,
  group: { id: string; apId: string },
): Promise<void> {
  const remote = await findRemoteActor(tx.db, { uri: group.apId });
  if (!remote) throw new Error(`cannot follow ${group.apId}: its actor is not stored`);
  await follow(tx, runtime.app.config.publicUrl, { identifier: userId, userId }, remote);
  tx.enqueue("forums.backfill", { groupId: group.id });
}

/** Leaving a remote group undoes the member's Follow of it. */
export async function unfollowGroup(
  deps: FederationDeps,
  tx: Tx,
  userId: string,
  groupApId: string,
): Promise<void> {
  const publicUrl = deps.app.config.publicUrl;
  const remote = await findRemoteActor(tx.db, { uri: groupApId });
  const record = remote
    ? await findFollow(tx.db, {
        localActor: userId,
        remoteActorId: remote.id,
        direction: "outgoing",
      })
    : undefined;
  if (!remote || !record) return;
  await deleteFollow(tx.db, record.id);
  const actor = actorUri(publicUrl, userId);
  const object = new URL(remote.uri);
  await sendToActors(
    tx,
    userId,
    [object],
    new Undo({
      id: newActivityId(publicUrl),
      actor,
      object: new Follow({ id: new URL(record.activityId), actor, object }),
      to: object,
    }),
  );
}

async function publishedOf(item: unknown): Promise<number> {
  let object: unknown = item;
  if (item instanceof Announce) object = await item.getObject({ crossOrigin: "trust" });
  if (object instanceof Create || object instanceof Update)
    object = await object.getObject({ crossOrigin: "trust" });
  if (!isPostLike(object)) return Number.NaN;
  // Replies after topics of the same instant.
  return (object.published?.epochMilliseconds ?? 0) + (object.replyTargetId ? 1 : 0);
}

/** Reads the outbox of a followed remote group and stores what it holds, oldest first. */
export async function backfillGroup(runtime: FederationRuntime, groupId: string): Promise<void> {
  const { db, log } = runtime.app;
  const group = await db
    .selectFrom("forum_groups")
    .select(["id", "slug", "host", "ap_id", "post_policy"])
    .where("id", "=", groupId)
    .executeTakeFirst();
  if (!group?.ap_id) return;
  const actor = await findRemoteActor(db, { uri: group.ap_id });
  if (!actor?.outbox) return;
  const fctx: Context<void> = runtime.context();
  const documentLoader = await fctx.getDocumentLoader({ identifier: "instance" });
  const outbox = await fctx.lookupObject(actor.outbox, { documentLoader });
  if (!(outbox instanceof Collection)) return;
  const count = await storeCollection(runtime, fctx, group, outbox, documentLoader);
  log.info({ group: group.slug, items: count }, "remote group backfilled");
}

/** Stores what a group's outbox (or any collection of its activities) holds, oldest first. */
export async function storeCollection(
  deps: FederationDeps,
  fctx: Context<void>,
  group: GroupRow,
  collection: Collection,
  documentLoader: Context<void>["documentLoader"] = fctx.documentLoader,
): Promise<number> {
  const log = deps.app.log.child({ group: group.ap_id, collection: collection.id?.href ?? null });
  const items: { at: number; item: unknown }[] = [];
  for await (const item of traverseCollection(collection, {
    documentLoader,
    contextLoader: fctx.contextLoader,
    suppressError: true,
  })) {
    const at = await tolerate(publishedOf(item), Number.NaN, log, "reading an outbox item");
    if (!Number.isNaN(at)) items.push({ at, item });
    if (items.length >= BACKFILL_MAX) break;
  }
  items.sort((a, b) => a.at - b.at);
  for (const { item } of items) {
    const inner = item instanceof Announce ? await item.getObject({ crossOrigin: "trust" }) : item;
    await applyGroupActivity(deps, fctx, group, inner, group.ap_id!);
  }
  return items.length;
}
