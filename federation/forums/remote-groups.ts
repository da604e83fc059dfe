// Activities of remote groups we follow (FEP-1b12): what a group announces — Create/Update of
// Page, Article or Note, Delete/Remove, Lemmy's Lock and Undo(Lock), Block — and the same
// activities sent directly by the group's moderators (Lemmy sends removals and locks that way).
// The group is the authority over what it holds: embedded objects are trusted when the group
// announces them, as long as their author's instance is allowed by our policy.
import type { Context } from "@fedify/fedify";
import type { Announce, Object as ApObject } from "@fedify/vocab";
import {
  Block,
  Collection,
  Create,
  Delete,
  Group,
  Remove,
  traverseCollection,
  Undo,
  Update,
  type Activity,
} from "@fedify/vocab";
import type { Db } from "../../server/db/database.ts";
import { findUserById } from "../../server/accounts/accounts.repo.ts";
import { fetchRemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { hostOf } from "../uris.ts";
import {
  actorBanned,
  incomingPost,
  isPostLike,
  rawObjectId,
  rawType,
  remoteGroup,
  rawDocument,
  rawEmbedded,
  undoneLockTarget,
  type GroupRow,
} from "./inbound-shared.ts";
import { findPostByApId } from "./objects.ts";
import { lockIncoming, removeIncoming, saveRemoteGroup, storeIncoming } from "./store.ts";

const TRUST = { crossOrigin: "trust" } as const;
const MAX_PARENTS = 10;

/** An object fetched with the instance actor's signature (authorized fetch), or null. */
async function fetchObject(fctx: Context<void>, uri: string): Promise<unknown> {
  try {
    const documentLoader = await fctx.getDocumentLoader({ identifier: "instance" });
    return await fctx.lookupObject(uri, { documentLoader });
  } catch {
    return null;
  }
}

/** The post `uri` if it belongs to `group` (ours or a remote copy). */
async function postInGroup(db: Db, publicUrl: URL, group: GroupRow, uri: URL | null) {
  if (!uri) return undefined;
  const post = await findPostByApId(db, publicUrl, uri.href);
  if (!post) return undefined;
  const row = await db
    .selectFrom("forum_posts")
    .select("group_id")
    .where("id", "=", post.id)
    .executeTakeFirstOrThrow();
  return row.group_id === group.id ? post : undefined;
}

const reasonOf = (activity: ApObject) => activity.summary?.toString().trim() || "—";

/** Applies one activity of `group` (announced, backfilled or sent by its moderators). */
export async function applyGroupActivity(
  deps: FederationDeps,
  fctx: Context<void>,
  group: GroupRow,
  item: unknown,
  by: string,
  depth = 0,
  /** The item as received, when it came embedded (Fedify drops what it does not know). */
  raw: Record<string, unknown> | undefined = rawDocument(item),
): Promise<boolean> {
  const { app } = deps;
  const publicUrl = app.config.publicUrl;
  let object: unknown = item;
  if (item instanceof Create || item instanceof Update)
    object = await item.getObject(TRUST).catch(() => null);
  if (isPostLike(object)) {
    const input = await incomingPost(deps, fctx, object);
    if (!input || !(await deps.policy.allows(input.authorUri))) return true;
    if (await actorBanned(app.db, group.id, input.authorUri)) return true;
    const outcome = await app.transaction((tx) => storeIncoming(tx, publicUrl, group.id, input));
    if (outcome.kind === "orphan" && input.inReplyTo && depth < MAX_PARENTS) {
      // A reply to a post we never received (older than the backfill): fetch its ancestors.
      const parent = await fetchObject(fctx, input.inReplyTo);
      if (isPostLike(parent)) {
        await applyGroupActivity(deps, fctx, group, parent, by, depth + 1);
        await app.transaction((tx) => storeIncoming(tx, publicUrl, group.id, input));
      }
    }
    return true;
  }
  if (item instanceof Delete || item instanceof Remove) {
    const post = await postInGroup(app.db, publicUrl, group, item.objectId);
    if (post)
      await app.transaction((tx) =>
        removeIncoming(tx, publicUrl, post, { reason: reasonOf(item), by }),
      );
    return post !== undefined;
  }
  if (item instanceof Undo) {
    const inner = await item.getObject(TRUST).catch(() => null);
    const target = undoneLockTarget(raw, inner);
    return target === undefined ? false : lockTopic(deps, group, item, target, false, by);
  }
  if (item instanceof Block) return banMember(deps, group, item);
  const asReceived = raw ? { _cachedJsonLd: raw } : item;
  if (rawType(asReceived) === "Lock")
    return lockTopic(deps, group, item as ApObject, rawObjectId(asReceived), true, by);
  return false;
}

async function lockTopic(
  deps: FederationDeps,
  group: GroupRow,
  activity: ApObject,
  postUri: URL | null,
  locked: boolean,
  by: string,
): Promise<boolean> {
  const { app } = deps;
  const post = await postInGroup(app.db, app.config.publicUrl, group, postUri);
  if (!post) return false;
  const reason = reasonOf(activity);
  await app.transaction((tx) => lockIncoming(tx, post.topicId, { locked, reason, by }));
  return true;
}

/** The group bans someone: one of our members (we stop sending their posts there), or another
 * instance's actor (their posts in it are no longer kept here). */
async function banMember(deps: FederationDeps, group: GroupRow, block: Block): Promise<boolean> {
  const { app } = deps;
  const target = block.objectId;
  if (!target) return false;
  const local = target.origin === app.config.publicUrl.origin;
  const id = local ? /^\/users\/([0-9a-f-]{36})$/.exec(target.pathname)?.[1] : undefined;
  const user = id ? await findUserById(app.db, id) : undefined;
  if (local && !user) return false;
  const ends = block.endTime ? new Date(block.endTime.epochMilliseconds) : null;
  await app.db
    .insertInto("forum_bans")
    .values({
      group_id: group.id,
      user_id: user?.id ?? null,
      actor_ap_id: user ? null : target.href,
      reason: reasonOf(block),
      expires_at: ends,
      ap_id: block.id?.href ?? null,
    })
    .onConflict((oc) => oc.column("ap_id").doNothing())
    .execute();
  return true;
}

/** Undo(Lock) by a moderator of the group's instance. */
export async function onUndoLock(
  undo: Undo,
  scope: { deps: FederationDeps; fed: Context<void>; senderUri: URL },
): Promise<boolean> {
  const inner = await undo.getObject(TRUST).catch(() => null);
  const target = undoneLockTarget(rawDocument(undo), inner);
  return target === undefined ? false : onModerationFromGroupHost(undo, scope, target);
}

/** Block sent by a remote group itself. */
export async function onBlockFromGroup(
  block: Block,
  scope: { deps: FederationDeps; fed: Context<void>; senderUri: URL },
): Promise<boolean> {
  const group = await remoteGroup(scope.deps.app.db, scope.senderUri.href);
  return group
    ? applyGroupActivity(scope.deps, scope.fed, group, block, scope.senderUri.href)
    : false;
}

/** Announce from a remote group we follow. */
export async function onAnnounceFromGroup(
  announce: Announce,
  scope: { deps: FederationDeps; fed: Context<void>; senderUri: URL },
): Promise<boolean> {
  const group = await remoteGroup(scope.deps.app.db, scope.senderUri.href);
  if (!group) return false;
  const inner = await announce.getObject(TRUST).catch(() => null);
  if (inner) {
    const raw = rawEmbedded(announce);
    await applyGroupActivity(scope.deps, scope.fed, group, inner, scope.senderUri.href, 0, raw);
  }
  return true;
}

/** Is `sender` one of the group's moderators (Lemmy lists them in the group's `attributedTo`)? */
async function isModeratorOf(fctx: Context<void>, groupUri: string, sender: string) {
  const group = await fetchObject(fctx, groupUri);
  if (!(group instanceof Group)) return false;
  const documentLoader = await fctx.getDocumentLoader({ identifier: "instance" });
  for (const uri of group.attributionIds) {
    if (uri.href === sender) return true;
    const list = await fetchObject(fctx, uri.href);
    if (!(list instanceof Collection)) continue;
    for await (const item of traverseCollection(list, { documentLoader, suppressError: true }))
      if (item.id?.href === sender) return true;
  }
  return false;
}

/**
 * A moderation activity sent directly rather than announced (Lemmy: a moderator's
 * `Delete`/`Remove`/`Lock` with the group as `audience`). Accepted from the group itself, from
 * one of its moderators, or, for a deletion, from the post's author.
 */
export async function onModerationFromGroupHost(
  activity: Activity,
  scope: { deps: FederationDeps; fed: Context<void>; senderUri: URL },
  objectUri: URL | null = activity.objectId,
): Promise<boolean> {
  const { db, config } = scope.deps.app;
  if (!objectUri) return false;
  const post = await findPostByApId(db, config.publicUrl, objectUri.href);
  if (!post) return false;
  const row = await db
    .selectFrom("forum_posts as p")
    .innerJoin("forum_groups as g", "g.id", "p.group_id")
    .select(["g.ap_id", "g.host", "p.author_ap_id"])
    .where("p.id", "=", post.id)
    .executeTakeFirstOrThrow();
  if (!row.host || !row.ap_id) return false;
  const sender = scope.senderUri.href;
  const byAuthor = row.author_ap_id === sender && activity instanceof Delete;
  const allowed =
    sender === row.ap_id ||
    byAuthor ||
    (hostOf(sender) === row.host && (await isModeratorOf(scope.fed, row.ap_id, sender)));
  if (!allowed) return false;
  const group = await remoteGroup(db, row.ap_id);
  return group ? applyGroupActivity(scope.deps, scope.fed, group, activity, sender) : false;
}

/** Lemmy's `Lock` (any other unregistered type falls here too and is left alone). */
export async function onLock(
  activity: Activity,
  scope: { deps: FederationDeps; fed: Context<void>; senderUri: URL },
): Promise<boolean> {
  return rawType(activity) === "Lock" ? onModerationFromGroupHost(activity, scope) : false;
}

/** Update of a followed group by itself: its name and description are refreshed here too. */
export async function onUpdateGroupActor(
  update: Update,
  scope: { deps: FederationDeps; fed: Context<void>; senderUri: URL },
): Promise<boolean> {
  const { db } = scope.deps.app;
  if (update.objectId?.href !== scope.senderUri.href) return false;
  if (!(await remoteGroup(db, scope.senderUri.href))) return false;
  const actor = await fetchRemoteActor(db, scope.fed, scope.senderUri);
  if (actor) await saveRemoteGroup(db, actor);
  return true;
}
