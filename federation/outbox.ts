// The outbound port: feature services call these inside their transaction. The activity is kept
// in the actor's outbox (public ones make the outbox collection) and a job delivers it after
// commit: to the followers' inboxes (shared inboxes when offered) and/or to named actors.
import { Delete, getTypeId, PUBLIC_COLLECTION, Tombstone, type Activity } from "@fedify/vocab";
import type { Tx } from "../server/db/transaction.ts";
import { addExtras, type ObjectExtras } from "./extras.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "./uris.ts";

export interface Audience {
  /** Every accepted follower of the actor. */
  followers: boolean;
  /** Actors to address directly (URIs), e.g. the organiser of an event one joins. */
  to: readonly (URL | string)[];
  /** Properties of the object Fedify's vocabulary does not know (see extras.ts). */
  objectExtras?: ObjectExtras;
}

/** "Create", "Follow", …: the fragment or last segment of the type's IRI. */
export function typeName(object: Activity): string {
  const id = getTypeId(object).href;
  return id.slice(Math.max(id.lastIndexOf("#"), id.lastIndexOf("/")) + 1);
}

function isPublic(activity: Activity): boolean {
  return [...activity.toIds, ...activity.ccIds].some((id) => id.href === PUBLIC_COLLECTION.href);
}

/**
 * The publish job of each transaction: the activities published later in the same transaction
 * join its list (a group announcing a new topic publishes two), so that it is one job, whose
 * activities go out in order. The payload is serialised when the transaction stages its jobs,
 * at its end (server/db/transaction.ts), so the ids added after `enqueue` are in it.
 */
const batches = new WeakMap<Tx, number[]>();

/** Queues `activity` (which must have an id and the local actor as `actor`) for delivery. */
export function publish(
  tx: Tx,
  actor: string,
  activity: Activity,
  audience: Audience,
): Promise<void> {
  return publishAll(tx, actor, [{ activity, audience }]);
}

/** An activity to publish; `json`: its JSON-LD when the caller wrote it (not compacted again). */
export interface Publication {
  activity: Activity;
  audience: Audience;
  json?: Record<string, unknown>;
}

/** Queues several activities of one actor, in this order, with one statement. */
export async function publishAll(
  tx: Tx,
  actor: string,
  items: readonly Publication[],
): Promise<void> {
  if (items.length === 0) return;
  const values = [];
  for (const { activity, audience, json: written } of items) {
    if (!activity.id || !activity.actorId)
      throw new TypeError("an activity needs an id and an actor");
    const compact =
      written ?? ((await activity.toJsonLd({ format: "compact" })) as Record<string, unknown>);
    const json = audience.objectExtras ? addExtras(compact, audience.objectExtras) : compact;
    values.push({
      actor,
      activity_id: activity.id.href,
      activity_type: typeName(activity),
      activity: JSON.stringify(json),
      to_followers: audience.followers,
      recipients: JSON.stringify(audience.to.map((u) => (typeof u === "string" ? u : u.href))),
      public: isPublic(activity),
      object_extras: audience.objectExtras ? JSON.stringify(audience.objectExtras) : null,
    });
  }
  const rows = await tx.db.insertInto("federation_outbox").values(values).returning("id").execute();
  // Ids come from one sequence in the order of the values: sorted, they are the order given.
  const ids = rows.map((r) => r.id).sort((a, b) => a - b);
  const batch = batches.get(tx);
  if (batch) return void batch.push(...ids);
  const outboxIds = [...ids];
  batches.set(tx, outboxIds);
  tx.enqueue("federation.publish", { outboxId: ids[0]!, outboxIds });
}

export function publishToFollowers(
  tx: Tx,
  actor: string,
  activity: Activity,
  objectExtras?: ObjectExtras,
): Promise<void> {
  return publish(tx, actor, activity, { followers: true, to: [], objectExtras });
}

export function sendToActors(
  tx: Tx,
  actor: string,
  to: readonly (URL | string)[],
  activity: Activity,
  objectExtras?: ObjectExtras,
): Promise<void> {
  return publish(tx, actor, activity, { followers: false, to, objectExtras });
}

/**
 * The CMCAS tells its followers that one of its objects (an offer, its note, a tutorial) is gone:
 * a Delete of a Tombstone, public when the object was.
 */
export function deleteFromCmcas(
  tx: Tx,
  publicUrl: URL,
  object: URL,
  options: { public: boolean; summary?: string | null },
): Promise<void> {
  const actor = actorUri(publicUrl, CMCAS_ACTOR);
  return publishToFollowers(
    tx,
    CMCAS_ACTOR,
    new Delete({
      id: newActivityId(publicUrl),
      actor,
      object: new Tombstone({ id: object }),
      ...(options.summary != null ? { summary: options.summary } : {}),
      tos: options.public ? [PUBLIC_COLLECTION] : [],
      ccs: [new URL(`${actor.href}/followers`)],
    }),
  );
}
