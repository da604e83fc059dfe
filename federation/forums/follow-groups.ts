// Our members follow remote groups (Maillage, Lemmy, PieFed, Mbin, NodeBB…) by handle or URL: the
// group gets a local entry (its slug is its handle, `name@host`), the member joins it and sends
// a Follow from their own actor, and a job backfills the group's history from its outbox.
import type { Context } from "@fedify/fedify";
import { Announce, Collection, Create, traverseCollection, Update } from "@fedify/vocab";
import type { User } from "../../server/accounts/accounts.repo.ts";
import type { Group } from "../../server/forums/groups.repo.ts";
import { putMembership, setSubscription } from "../../server/forums/memberships.repo.ts";
import { fail, ok, type Result } from "../../server/http/result.ts";
import type { LookupError } from "../actors/lookup.ts";
import { findRemoteActor } from "../actors/remote.ts";
import { follow } from "../follows/follows.service.ts";
import { deleteFollow, findFollow } from "../follows/follows.repo.ts";
import { sendToActors } from "../outbox.ts";
import type { FederationRuntime } from "../runtime.ts";
import { actorUri, newActivityId } from "../uris.ts";
import { Follow, Undo } from "@fedify/vocab";
import type { FederationDeps } from "../deps.ts";
import { isPostLike, type GroupRow } from "./inbound-shared.ts";
import { saveRemoteGroup } from "./store.ts";
import { applyGroupActivity } from "./remote-groups.ts";

export type FollowGroupError = LookupError | "not_discoverable" | "not_group";

/** Backfill reads at most this many outbox items (newest first), then stores them oldest first. */
export const BACKFILL_MAX = 400;

export async function followRemoteGroup(
  runtime: FederationRuntime,
  user: User,
  target: string,
): Promise<Result<Group, FollowGroupError>> {
  // The group's instance fetches the member's actor to check the Follow's signature.
  const local = await runtime.actors.byIdentifier(user.id);
  if (!local) return fail("not_discoverable");
  // Lemmy writes community handles with "!" (!velo@lemmy.example).
  const found = await runtime.lookup(target.trim().replace(/^!/, "@"));
  if (!found.ok) return found;
  if (found.value.type !== "Group") return fail("not_group");
  const group = await saveRemoteGroup(runtime.app.db, found.value);
  const { app } = runtime;
  await app.transaction(async (tx) => {
    await putMembership(tx.db, {
      groupId: group.id,
      userId: user.id,
      role: "member",
      state: "active",
      origin: "self",
    });
    await setSubscription(tx.db, user.id, { groupId: group.id }, true);
    await follow(tx, app.config.publicUrl, local, found.value);
    tx.enqueue("forums.backfill", { groupId: group.id });
  });
  return ok(group);
}

/** Leaving a remote group also undoes the member's Follow of it. */
export async function unfollowRemoteGroup(
  runtime: FederationRuntime,
  user: User,
  group: Group,
): Promise<void> {
  if (!group.apId) return;
  const { app } = runtime;
  const remote = await findRemoteActor(app.db, { uri: group.apId });
  if (!remote) return;
  await app.transaction(async (tx) => {
    const record = await findFollow(tx.db, {
      localActor: user.id,
      remoteActorId: remote.id,
      direction: "outgoing",
    });
    if (!record) return;
    await deleteFollow(tx.db, record.id);
    const actor = actorUri(app.config.publicUrl, user.id);
    const object = new URL(remote.uri);
    await sendToActors(
      tx,
      user.id,
      [object],
      new Undo({
        id: newActivityId(app.config.publicUrl),
        actor,
        object: new Follow({ id: new URL(record.activityId), actor, object }),
        to: object,
      }),
    );
  });
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
  const items: { at: number; item: unknown }[] = [];
  for await (const item of traverseCollection(collection, {
    documentLoader,
    contextLoader: fctx.contextLoader,
    suppressError: true,
  })) {
    const at = await publishedOf(item).catch(() => Number.NaN);
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
