// Create, Update and Delete of Events from the actors we follow (a CMCAS, a Mobilizon group, a
// Gancio instance): their offers join our catalogue, marked with their territory.
import type { Create, Delete, Update } from "@fedify/vocab";
import type { Activity } from "@fedify/vocab";
import type { Db } from "../../server/db/database.ts";
import type { RemoteActor } from "../actors/remote.ts";
import type { InboxHandler, InboxScope } from "../inbox/scope.ts";
import { INSTANCE_ACTOR } from "../uris.ts";
import { plainTerms } from "./terms.ts";
import { deleteRemoteEvent, readRemoteEvent, saveRemoteEvent } from "./remote-offers.ts";

type Json = Record<string, unknown>;

/** Whether a local actor (the CMCAS or a member) follows `actor`, with its Accept. */
export async function isFollowed(db: Db, actor: RemoteActor): Promise<boolean> {
  const row = await db
    .selectFrom("federation_follows")
    .select("id")
    .where("remote_actor_id", "=", actor.id)
    .where("direction", "=", "outgoing")
    .where("state", "=", "accepted")
    .executeTakeFirst();
  return row !== undefined;
}

/** The activity's object as its publisher wrote it (Fedify keeps the JSON it parsed). */
async function objectJson(activity: Activity, scope: InboxScope): Promise<Json | undefined> {
  const raw = (await activity.toJsonLd()) as Json;
  const object = raw.object;
  if (typeof object === "object" && object !== null && !Array.isArray(object))
    return plainTerms(object as Json);
  if (typeof object !== "string") return undefined;
  const loader = await scope.fed.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const { document } = await loader(object);
  return typeof document === "object" && document !== null
    ? plainTerms(document as Json)
    : undefined;
}

async function keepEvent(activity: Create | Update, scope: InboxScope): Promise<boolean> {
  const json = await objectJson(activity, scope).catch(() => undefined);
  if (json?.type !== "Event") return false;
  const { app } = scope.deps;
  const sender = await scope.sender();
  if (!sender) throw new Error(`cannot fetch the actor ${scope.senderUri.href}`);
  if (!(await isFollowed(app.db, sender))) return true;
  const event = readRemoteEvent(json, sender);
  if (!event) return true;
  await app.transaction((tx) => saveRemoteEvent(tx, app.config.publicUrl, sender, event));
  return true;
}

export const onCreateEvent: InboxHandler<Create> = (create, scope) => keepEvent(create, scope);
export const onUpdateEvent: InboxHandler<Update> = (update, scope) => keepEvent(update, scope);

export const onDeleteEvent: InboxHandler<Delete> = async (del, scope) => {
  if (!del.objectId) return false;
  const { app } = scope.deps;
  const sender = await scope.sender();
  if (!sender) return false;
  const uri = del.objectId.href;
  return app.transaction((tx) => deleteRemoteEvent(tx, sender, uri));
};
