// When a CMCAS (or any event publisher) accepts our Follow, its upcoming offers are fetched from
// its outbox, page after page, so the catalogue does not wait for its next Create. Each Event is
// fetched again at its own URL: what we keep is its current state, not the one it was created in.
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { saveRemoteOffer } from "../../server/offers/remote-offers.service.ts";
import { findRemoteActor } from "../actors/remote.ts";
import type { FederationRuntime } from "../deps.ts";
import { tolerate } from "../tolerate.ts";
import { INSTANCE_ACTOR } from "../uris.ts";
import { isFollowed } from "./offers.inbox.ts";
import { readRemoteEvent, upcoming } from "./remote-offers.ts";
import { plainTerms } from "./terms.ts";

type Json = Record<string, unknown>;

/** At most this many pages of an outbox are read (20 activities each on Maillage). */
const MAX_PAGES = 50;

const idOf = (v: unknown): string | undefined =>
  typeof v === "string"
    ? v
    : typeof v === "object" && v !== null && typeof (v as Json).id === "string"
      ? ((v as Json).id as string)
      : undefined;

export async function backfillOffers(
  runtime: FederationRuntime,
  remoteActorId: number,
): Promise<number> {
  const { app } = runtime;
  const actor = await findRemoteActor(app.db, { id: remoteActorId });
  if (!actor?.outbox) return 0;
  if (!(await isFollowed(app.db, actor))) throw new Error("the Follow is not accepted yet");
  const fctx = runtime.context();
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
    const log = app.log.child({ publisher: actor.uri, event: uri });
    const json = plainTerms(await tolerate(fetchJson(uri), {} as Json, log, "fetching an Event"));
    const event = json.type === "Event" ? readRemoteEvent(json, actor) : undefined;
    if (!event || !upcoming(event)) continue;
    await app.transaction((tx) => saveRemoteOffer(tx, bookingDeps(app), actor.id, event));
    kept++;
  }
  return kept;
}
