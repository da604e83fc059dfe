// When a CMCAS (or any event publisher) accepts our Follow, its upcoming offers are fetched from
// its outbox, page after page, so the catalogue does not wait for its next Create. Each Event is
// fetched again at its own URL: what we keep is its current state, not the one it was created in.
import type { Accept } from "@fedify/vocab";
import type { AppContext } from "../../server/context.ts";
import { findRemoteActor } from "../actors/remote.ts";
import type { InboxHandler } from "../inbox/scope.ts";
import { federationOf } from "../runtime.ts";
import { INSTANCE_ACTOR } from "../uris.ts";
import { isFollowed } from "./offers.inbox.ts";
import { readRemoteEvent, saveRemoteEvent, upcoming } from "./remote-offers.ts";
import { plainTerms } from "./terms.ts";

type Json = Record<string, unknown>;

/** At most this many pages of an outbox are read (20 activities each on Maillage). */
const MAX_PAGES = 50;

/** Runs before the follows' handler: asks for a backfill when a pending Follow is answered. */
export const onAcceptOfFollow: InboxHandler<Accept> = async (_accept, scope) => {
  const { db, queue } = scope.deps.app;
  const remote = await findRemoteActor(db, { uri: scope.senderUri.href });
  if (!remote?.outbox) return false;
  const pending = await db
    .selectFrom("federation_follows")
    .select("id")
    .where("remote_actor_id", "=", remote.id)
    .where("direction", "=", "outgoing")
    .where("state", "=", "pending")
    .executeTakeFirst();
  // The job waits until the Accept is recorded (it retries while the Follow is pending).
  if (pending)
    await queue.enqueue("offers.backfill", { remoteActorId: remote.id }, { delayMs: 500 });
  return false;
};

const idOf = (v: unknown): string | undefined =>
  typeof v === "string"
    ? v
    : typeof v === "object" && v !== null && typeof (v as Json).id === "string"
      ? ((v as Json).id as string)
      : undefined;

export async function backfillOffers(app: AppContext, remoteActorId: number): Promise<number> {
  const actor = await findRemoteActor(app.db, { id: remoteActorId });
  if (!actor?.outbox) return 0;
  if (!(await isFollowed(app.db, actor))) throw new Error("the Follow is not accepted yet");
  const fctx = federationOf(app).context();
  const load = await fctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const fetchJson = async (url: string) => (await load(url)).document as Json;

  // Newest first: the first activity seen about an Event decides whether it still exists.
  const events = new Map<string, boolean>();
  const read = (items: unknown) => {
    for (const item of Array.isArray(items) ? items : []) {
      if (typeof item !== "object" || item === null) continue;
      const activity = plainTerms(item as Json);
      const objectId = idOf(activity.object);
      if (!objectId || events.has(objectId)) continue;
      const object = activity.object;
      if (activity.type === "Delete") events.set(objectId, false);
      else if (
        (activity.type === "Create" || activity.type === "Update") &&
        typeof object === "object" &&
        object !== null
      )
        events.set(objectId, (object as Json).type === "Event");
    }
  };
  const outbox = await fetchJson(actor.outbox);
  read(outbox.orderedItems ?? outbox.items);
  let next = idOf(outbox.first);
  for (let pages = 0; next && pages < MAX_PAGES; pages++) {
    const page = await fetchJson(next);
    read(page.orderedItems ?? page.items);
    next = idOf(page.next);
  }

  let kept = 0;
  for (const [uri, exists] of events) {
    if (!exists) continue;
    const json = plainTerms(await fetchJson(uri).catch(() => ({}) as Json));
    const event = json.type === "Event" ? readRemoteEvent(json, actor) : undefined;
    if (!event || !upcoming(event)) continue;
    await app.transaction((tx) => saveRemoteEvent(tx, app.config.publicUrl, actor, event));
    kept++;
  }
  return kept;
}
