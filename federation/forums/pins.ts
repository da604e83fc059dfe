// Pinned topics, as Lemmy and NodeBB publish them: a group's `featured` collection (its pinned
// topics' `Page`s, newest pin first), and a pin or unpin in one of our groups announced to its
// followers as `Add` or `Remove` of the topic with the collection as `target`. From a followed
// group, the same `Add`/`Remove` (announced, or from the group itself) pins or unpins the topic.
import { Add, Remove } from "@fedify/vocab";
import type { Federation } from "@fedify/fedify";
import type { Tx } from "../../server/db/transaction.ts";
import { mayRead } from "../actors/dispatcher.ts";
import type { FederationDeps } from "../deps.ts";
import { newActivityId } from "../uris.ts";
import { addressing, announceInGroup, federates } from "./announce.ts";
import { openingPostObject, postObject } from "./objects.ts";

export const FEATURED_PATH = "/users/{identifier}/featured";

export function featuredUri(groupUri: string): URL {
  return new URL(`${groupUri}/featured`);
}

/** At most this many pinned topics are listed (a forum pins a few). */
const MAX_PINNED = 50;

export function registerFeatured(federation: Federation<void>, deps: FederationDeps): void {
  const { db, config } = deps.app;
  federation
    .setFeaturedDispatcher(FEATURED_PATH, async (_ctx, identifier) => {
      const actor = await deps.actors.byIdentifier(identifier);
      if (actor?.type !== "Group") return { items: [] };
      const pinned = await db
        .selectFrom("forum_posts as p")
        .innerJoin("forum_topics as t", "t.id", "p.topic_id")
        .innerJoin("forum_groups as g", "g.id", "t.group_id")
        .select("p.id")
        .where("g.slug", "=", identifier)
        .where("g.host", "is", null)
        .where("p.position", "=", 1)
        .where("t.pinned_at", "is not", null)
        .where("t.removed_at", "is", null)
        .orderBy("t.pinned_at", "desc")
        .limit(MAX_PINNED)
        .execute();
      const items = [];
      for (const { id } of pinned) {
        const found = await postObject(db, config.publicUrl, id);
        if (found && !found.removed) items.push(found.object);
      }
      return { items };
    })
    .authorize((ctx, identifier) => mayRead(ctx, deps, identifier));
}

/** A topic of one of our federated groups pinned or unpinned: Add or Remove, announced. */
export async function sendPin(
  tx: Tx,
  publicUrl: URL,
  topicId: string,
  pinned: boolean,
  reason: string,
): Promise<void> {
  const found = await openingPostObject(tx.db, publicUrl, topicId);
  if (!found || found.removed || !federates(found) || !found.object.id) return;
  const group = new URL(found.groupUri);
  const Class = pinned ? Add : Remove;
  await announceInGroup(
    tx,
    publicUrl,
    found,
    new Class({
      id: newActivityId(publicUrl),
      actor: group,
      object: found.object.id,
      target: featuredUri(found.groupUri),
      summary: reason || null,
      audience: group,
      ...addressing(found, publicUrl),
    }),
  );
}
