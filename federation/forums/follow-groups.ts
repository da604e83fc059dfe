// Our members follow remote groups (Maillage, Lemmy, PieFed, Mbin, NodeBB…) by handle or URL: the
// forums service gives the group a local entry and the membership, this side finds the group,
// sends the Follow from the member's own actor, and a job backfills the group's history from its
// outbox, then each thread's context collection where the group's server offers one (FEP-f228).
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
import { saveRemoteGroup } from "../../server/forums/remote-groups.service.ts";
import { fetchRemoteActor, findRemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { deleteFollow, findFollow } from "../follows/follows.repo.ts";
import { follow } from "../follows/follows.service.ts";
import { sendToActors } from "../outbox.ts";
import type { FederationRuntime } from "../deps.ts";
import { tolerate } from "../tolerate.ts";
import { actorUri, newActivityId } from "../uris.ts";
import { isPostLike, type GroupRow } from "./inbound-shared.ts";
import { applyGroupActivity } from "./remote-groups.ts";
import { readContext, threadContexts } from "./thread-backfill.ts";

/** Backfill reads at most this many outbox items (newest first), then stores them oldest first. */
export const BACKFILL_MAX = 400;

/** A group elsewhere, for our member `userId` to follow (who must have an actor). */
export async function findRemoteGroup(
  runtime: FederationRuntime,
  userId: string,
  target: string,
): Promise<Result<RemoteGroupActor, FindGroupError>> {
  // The group's instance fetches the member's actor to check the Follow's signature: every
  // confirmed member has one, listed or not (ADR 0087).
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

/** Reads the outbox of a followed remote group and stores what it holds, oldest first; then the
 * context collections of its threads. */
export async function backfillGroup(runtime: FederationRuntime, groupId: string): Promise<void> {
  const { db, log } = runtime.app;
  const group = await db
    .selectFrom("forum_groups")
    .select(["id", "slug", "host", "ap_id", "post_policy", "visibility"])
    .where("id", "=", groupId)
    .executeTakeFirst();
  if (!group?.ap_id) return;
  const actor = await findRemoteActor(db, { uri: group.ap_id });
  const fctx: Context<void> = runtime.context();
  const documentLoader = await fctx.getDocumentLoader({ identifier: "instance" });
  const outbox = actor?.outbox
    ? await fctx.lookupObject(actor.outbox, { documentLoader })
    : undefined;
  if (outbox instanceof Collection) {
    const count = await storeCollection(runtime, fctx, group, outbox, documentLoader);
    log.info({ group: group.slug, items: count }, "remote group backfilled");
  }
  // Then each thread it brought (or we had), from its FEP-f228 context collection where the
  // group's server offers one: the outbox holds only the latest replies (thread-backfill.ts).
  const store = (
    f: Context<void>,
    g: GroupRow,
    c: Collection,
    d: Context<void>["documentLoader"],
  ) => storeCollection(runtime, f, g, c, d);
  for (const context of await threadContexts(runtime, group))
    await readContext(runtime, store, group, context);
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

/** Followed groups are read again once a day (their name, description and stated visibility,
 * ADR 0085): a group followed before visibilities were stated gets its own, at most this many
 * per run. */
const REFRESH_BATCH = 50;
const REFRESH_AFTER_MS = 24 * 3600_000;

export async function refreshRemoteGroups(runtime: FederationRuntime): Promise<number> {
  const { db, log } = runtime.app;
  const stale = await db
    .selectFrom("forum_groups as g")
    .innerJoin("federation_remote_actors as r", "r.uri", "g.ap_id")
    .select("g.ap_id")
    .where("g.host", "is not", null)
    .where("r.fetched_at", "<", new Date(Date.now() - REFRESH_AFTER_MS))
    .orderBy("r.fetched_at")
    .limit(REFRESH_BATCH)
    .execute();
  const fctx = runtime.context();
  let refreshed = 0;
  for (const { ap_id } of stale) {
    const groupLog = log.child({ group: ap_id });
    if (!ap_id || !(await runtime.policy.allows(ap_id))) continue;
    const actor = await tolerate(
      fetchRemoteActor(db, fctx, ap_id, groupLog),
      undefined,
      groupLog,
      "refreshing a followed group",
    );
    if (actor?.type !== "Group" || actor.uri !== ap_id) continue;
    await saveRemoteGroup(db, actor);
    refreshed += 1;
  }
  return refreshed;
}
