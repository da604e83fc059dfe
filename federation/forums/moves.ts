// A topic moved to another group (issue 16 item 18), as an ActivityStreams `Move`: `object` the
// topic's Page, `origin` the group it left, `target` the group it went to, the reason as
// `summary` (the shape PieFed gives its moves between communities).
// - a moderator moves a topic between two of our groups: each of them that federates announces
//   a `Move` by itself to its followers, so that both sides hear it;
// - from a followed group (announced, or sent by the group or one of its moderators): a `Move`
//   of one of its topics, from or to the group, moves our copy into our entry for the target group
//   when we follow it too, hides it from the origin's entry otherwise, and, when the topic arrives
//   in the group and we had no copy, fetches it.
import { Move } from "@fedify/vocab";
import type { Logger } from "pino";
import type { Tx } from "../../server/db/transaction.ts";
import { moveIncoming } from "../../server/forums/incoming-moves.ts";
import { findPostByApId } from "../../server/forums/post-ids.ts";
import type { FederationDeps } from "../deps.ts";
import { actorUri, newActivityId } from "../uris.ts";
import { addressing, announceInGroup, federates } from "./announce.ts";
import { type GroupRow } from "./inbound-shared.ts";
import { openingPostObject } from "./objects.ts";

export async function sendMove(
  tx: Tx,
  publicUrl: URL,
  topicId: string,
  fromGroupId: string,
  reason: string,
): Promise<void> {
  const found = await openingPostObject(tx.db, publicUrl, topicId);
  const from = await tx.db
    .selectFrom("forum_groups")
    .select(["slug", "host", "visibility"])
    .where("id", "=", fromGroupId)
    .executeTakeFirst();
  if (!found?.object.id || !from || from.host !== null) return;
  const origin = actorUri(publicUrl, from.slug);
  const target = new URL(found.groupUri);
  // The group it left, seen as the post's group for the addressing of its own announce.
  const left = {
    ...found,
    groupId: fromGroupId,
    groupUri: origin.href,
    groupIdentifier: from.slug,
    visibility: from.visibility,
  };
  for (const side of [left, found]) {
    if (!federates(side)) continue;
    const group = new URL(side.groupUri);
    const move = new Move({
      id: newActivityId(publicUrl),
      actor: group,
      object: found.object.id,
      origin,
      target,
      summary: reason || null,
      audience: group,
      ...addressing(side, publicUrl),
    });
    await announceInGroup(tx, publicUrl, side, move);
  }
}

/**
 * A `Move` from followed group `group` (its origin or its target). `fetchInto` fetches the topic
 * and stores it in the group, when it arrives there and we had no copy.
 */
export async function applyMove(
  deps: FederationDeps,
  group: GroupRow,
  move: Move,
  by: string,
  fetchInto: (uri: URL) => Promise<unknown>,
  log: Logger,
): Promise<boolean> {
  const { app } = deps;
  const [object, origin, target] = [move.objectId, move.originId, move.targetId];
  if (!object || !origin || !target || !group.host || !group.ap_id) return false;
  if (origin.href !== group.ap_id && target.href !== group.ap_id) return false;
  // Only a topic of the group's own server, moved by that server.
  if (object.host !== group.host) return false;
  const post = await findPostByApId(app.db, app.config.publicUrl, object.href);
  if (!post) {
    if (target.href === group.ap_id) await fetchInto(object);
    return true;
  }
  const copy = await app.db
    .selectFrom("forum_posts as p")
    .innerJoin("forum_groups as g", "g.id", "p.group_id")
    .select(["p.position", "g.ap_id"])
    .where("p.id", "=", post.id)
    .executeTakeFirstOrThrow();
  // A reply is not a topic; a copy already moved (the other group's Move came first) stays.
  if (copy.position !== 1 || copy.ap_id !== origin.href) return true;
  // The target, when it is a remote group we follow too (then the topic moves into it).
  const to = await app.db
    .selectFrom("forum_groups")
    .select(["id", "name"])
    .where("ap_id", "=", target.href)
    .where("host", "is not", null)
    .executeTakeFirst();
  const reason = move.summary?.toString().trim() || "—";
  log.debug({ topic: object.href, to: target.href, kept: Boolean(to) }, "topic moved");
  await app.transaction((tx) =>
    moveIncoming(tx, post.topicId, {
      toGroupId: to?.id ?? null,
      toName: to?.name ?? target.href,
      reason,
      by,
    }),
  );
  return true;
}
