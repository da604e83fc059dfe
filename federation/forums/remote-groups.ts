// Activities of remote groups we follow (FEP-1b12): what a group announces — Create/Update of
// Page, Article or Note, Delete/Remove and their Undo (restores), Lemmy's Lock and Undo(Lock),
// Block — and the same activities sent directly by the group's moderators (Lemmy sends removals
// and locks that way).
// The group is the authority over what it holds: embedded objects are trusted when the group
// announces them, as long as their author's instance is allowed by our policy. What they change
// is the forums services' business (server/forums/incoming.service.ts).
import type { Context } from "@fedify/fedify";
import type { Object as ApObject, Activity } from "@fedify/vocab";
import {
  Add,
  Block,
  Collection,
  Create,
  Delete,
  Group,
  isActor,
  Move,
  Remove,
  traverseCollection,
  Undo,
  Update,
  type Announce,
} from "@fedify/vocab";
import type { Logger } from "pino";
import type { Db } from "../../server/db/database.ts";
import { findUserById } from "../../server/accounts/accounts.repo.ts";
import {
  lockIncoming,
  pinIncoming,
  removeIncoming,
  restoreIncoming,
} from "../../server/forums/incoming-moderation.ts";
import { storeIncoming } from "../../server/forums/incoming.service.ts";
import { findPostByApId } from "../../server/forums/post-ids.ts";
import { actorBanned, banFromRemoteGroup } from "../../server/forums/remote-bans.ts";
import { saveRemoteGroup } from "../../server/forums/remote-groups.service.ts";
import { remoteActorFromVocab } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { route, type InboxInput } from "../inbox/route.ts";
import { tolerate } from "../tolerate.ts";
import { hostOf } from "../uris.ts";
import { undoneRemovalTarget } from "./restores.ts";
import { applyMove } from "./moves.ts";
import {
  incomingPost,
  isPostLike,
  rawDocument,
  rawEmbedded,
  rawObjectId,
  rawType,
  remoteGroup,
  undoneLockTarget,
  type GroupRow,
} from "./inbound-shared.ts";

const TRUST = { crossOrigin: "trust" } as const;
const MAX_PARENTS = 10;

/** An object fetched with the instance actor's signature (authorized fetch), or null. */
async function fetchObject(fctx: Context<void>, uri: string, log: Logger): Promise<unknown> {
  const fetch = async () => {
    const documentLoader = await fctx.getDocumentLoader({ identifier: "instance" });
    return fctx.lookupObject(uri, { documentLoader });
  };
  return tolerate(fetch(), null, log.child({ fetching: uri }), "fetching an object");
}

/** The post `uri` if it belongs to `group` (ours or a remote copy). */
async function postInGroup(db: Db, publicUrl: URL, group: GroupRow, uri: URL | null) {
  if (!uri) return undefined;
  const post = await findPostByApId(db, publicUrl, uri.href);
  if (!post) return undefined;
  const row = await db
    .selectFrom("forum_posts")
    .select(["group_id", "author_ap_id"])
    .where("id", "=", post.id)
    .executeTakeFirstOrThrow();
  return row.group_id === group.id ? { ...post, authorApId: row.author_ap_id } : undefined;
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
  log: Logger = deps.app.log.child({ group: group.ap_id }),
): Promise<boolean> {
  const { app } = deps;
  const publicUrl = app.config.publicUrl;
  let object: unknown = item;
  if (item instanceof Create || item instanceof Update)
    object = await tolerate(item.getObject(TRUST), null, log, "reading the post of an activity");
  if (isPostLike(object)) {
    const input = await incomingPost(deps, fctx, object, log);
    if (!input || !(await deps.policy.allows(input.authorUri))) return true;
    if (await actorBanned(app.db, group.id, input.authorUri)) return true;
    const outcome = await app.transaction((tx) => storeIncoming(tx, publicUrl, group.id, input));
    if (outcome.kind === "orphan" && input.inReplyTo && depth < MAX_PARENTS) {
      // A reply to a post we never received (older than the backfill): fetch its ancestors.
      const parent = await fetchObject(fctx, input.inReplyTo, log);
      if (isPostLike(parent)) {
        await applyGroupActivity(deps, fctx, group, parent, by, depth + 1, undefined, log);
        await app.transaction((tx) => storeIncoming(tx, publicUrl, group.id, input));
      }
    }
    return true;
  }
  // A pin or unpin: Add or Remove of a topic to the group's featured collection (Lemmy, NodeBB).
  if ((item instanceof Add || item instanceof Remove) && isFeatured(group, item.targetId)) {
    const post = await postInGroup(app.db, publicUrl, group, item.objectId);
    if (!post) return false;
    const pin = { pinned: item instanceof Add, reason: reasonOf(item), by };
    await app.transaction((tx) => pinIncoming(tx, post.topicId, pin));
    return true;
  }
  if (item instanceof Delete || item instanceof Remove) {
    const post = await postInGroup(app.db, publicUrl, group, item.objectId);
    if (!post) return false;
    // The author's own deletion, relayed by the group, is not a moderators' removal.
    const byAuthor = item instanceof Delete && item.actorId?.href === post.authorApId;
    const removal = byAuthor
      ? { reason: "Supprimé par son auteur", by: post.authorApId!, byAuthor }
      : { reason: reasonOf(item), by };
    await app.transaction((tx) => removeIncoming(tx, publicUrl, post, removal));
    return true;
  }
  if (item instanceof Undo) {
    const inner = await tolerate(item.getObject(TRUST), null, log, "reading an undone activity");
    const removed = undoneRemovalTarget(inner);
    if (removed !== undefined) return restorePost(deps, group, item, removed, by);
    const target = undoneLockTarget(raw, inner);
    return target === undefined ? false : lockTopic(deps, group, item, target, false, by);
  }
  if (item instanceof Block) return banMember(deps, group, item);
  if (item instanceof Move) {
    const fetchInto = async (uri: URL) => {
      const topic = await fetchObject(fctx, uri.href, log);
      if (isPostLike(topic)) await applyGroupActivity(deps, fctx, group, topic, by, depth + 1);
    };
    return applyMove(deps, group, item, by, fetchInto, log);
  }
  const asReceived = raw ? { _cachedJsonLd: raw } : item;
  if (rawType(asReceived) === "Lock")
    return lockTopic(deps, group, item as ApObject, rawObjectId(asReceived), true, by);
  return false;
}

/** The group's featured collection: on its server, named `featured` (Lemmy's and NodeBB's). */
function isFeatured(group: GroupRow, target: URL | null): boolean {
  if (!target || !group.host || target.host !== group.host) return false;
  return target.pathname.endsWith("/featured");
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

/** A removal undone by the group's instance: the post is shown again (restores.ts). */
async function restorePost(
  deps: FederationDeps,
  group: GroupRow,
  undo: ApObject,
  postUri: URL | null,
  by: string,
): Promise<boolean> {
  const { app } = deps;
  const post = await postInGroup(app.db, app.config.publicUrl, group, postUri);
  if (!post) return false;
  const restore = { reason: reasonOf(undo), by };
  await app.transaction((tx) => restoreIncoming(tx, post, restore));
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
  await app.transaction((tx) =>
    banFromRemoteGroup(tx, {
      groupId: group.id,
      target: user ? { userId: user.id } : { actorUri: target.href },
      reason: reasonOf(block),
      expiresAt: block.endTime ? new Date(block.endTime.epochMilliseconds) : null,
      apId: block.id?.href ?? null,
    }),
  );
  return true;
}

/** Is `sender` one of the group's moderators (Lemmy lists them in the group's `attributedTo`)? */
async function isModeratorOf(fctx: Context<void>, groupUri: string, sender: string, log: Logger) {
  const group = await fetchObject(fctx, groupUri, log);
  if (!(group instanceof Group)) return false;
  const documentLoader = await fctx.getDocumentLoader({ identifier: "instance" });
  for (const uri of group.attributionIds) {
    if (uri.href === sender) return true;
    const list = await fetchObject(fctx, uri.href, log);
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
export async function moderationFromGroupHost(
  input: InboxInput,
  objectUri: URL | null = rawObjectId(input.activity),
): Promise<boolean> {
  const { db, config } = input.deps.app;
  const activity = input.activity;
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
  const sender = input.senderUri.href;
  const byAuthor = row.author_ap_id === sender && activity instanceof Delete;
  const allowed =
    sender === row.ap_id ||
    byAuthor ||
    (hostOf(sender) === row.host && (await isModeratorOf(input.fed, row.ap_id, sender, input.log)));
  if (!allowed) return false;
  const group = await remoteGroup(db, row.ap_id);
  return group
    ? applyGroupActivity(input.deps, input.fed, group, activity, sender, 0, undefined, input.log)
    : false;
}

/** Announce from a remote group we follow. */
const onAnnounce = route<Announce>({
  name: "forums.group-announce",
  activity: "Announce",
  object: "*",
  async handle(input) {
    const group = await remoteGroup(input.deps.app.db, input.senderUri.href);
    if (!group) return false;
    const inner = await input.object();
    if (inner) {
      const raw = rawEmbedded(input.activity);
      const by = input.senderUri.href;
      await applyGroupActivity(input.deps, input.fed, group, inner, by, 0, raw, input.log);
    }
    return true;
  },
});

/** Block sent by a remote group itself. */
const onBlock = route<Block>({
  name: "forums.group-block",
  activity: "Block",
  object: "*",
  async handle(input) {
    const group = await remoteGroup(input.deps.app.db, input.senderUri.href);
    const by = input.senderUri.href;
    return group
      ? applyGroupActivity(input.deps, input.fed, group, input.activity, by, 0, input.raw)
      : false;
  },
});

/** Remove, Add (pins), Lemmy's `Lock` and `Move`, by the group or one of its moderators. */
const onModeration = route<Activity>({
  name: "forums.group-moderation",
  activity: ["Remove", "Add", "Lock", "Move"],
  object: "*",
  handle: (input) => moderationFromGroupHost(input),
});

/** Undo(Lock) by a moderator of the group's instance. */
const onUndoLock = route<Undo>({
  name: "forums.group-unlock",
  activity: "Undo",
  object: "Lock",
  async handle(input) {
    const inner = await input.object();
    const target = undoneLockTarget(input.raw, inner);
    return target === undefined ? false : moderationFromGroupHost(input, target);
  },
});

/** Undo(Delete) or Undo(Remove) of a post, by the group or a moderator of its instance. */
const onUndoRemoval = route<Undo>({
  name: "forums.group-restore",
  activity: "Undo",
  object: ["Delete", "Remove"],
  async handle(input) {
    const target = undoneRemovalTarget(await input.object());
    return target ? moderationFromGroupHost(input, target) : false;
  },
});

/** Update of a followed group by itself: its name and description are refreshed here too (the
 * follows' route refreshes the stored actor). */
const onGroupUpdated = route<Update>({
  name: "forums.group-updated",
  activity: "Update",
  object: "Group",
  async handle(input) {
    const { db } = input.deps.app;
    if (input.activity.objectId?.href !== input.senderUri.href) return false;
    if (!(await remoteGroup(db, input.senderUri.href))) return false;
    const actor = await input.object();
    const fields = isActor(actor) ? await remoteActorFromVocab(actor, input.log) : undefined;
    if (fields?.uri === input.senderUri.href) await saveRemoteGroup(db, fields);
    return true;
  },
});

export const remoteGroupsInbox = [
  onAnnounce,
  onBlock,
  onModeration,
  onUndoLock,
  onUndoRemoval,
  onGroupUpdated,
];
