// Our offers to the CMCAS's followers: called by the offers service inside its transaction, so
// the Create, Update or Delete is delivered after commit, and never for a change rolled back.
import { Create, Delete, Tombstone, Update } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { publishToFollowers } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";
import { federatedOffer, isFederated, offerEvent, offerUri } from "./event.ts";

export type OfferChange = "published" | "updated";

export async function federateOffer(
  tx: Tx,
  publicUrl: URL,
  offerId: string,
  change: OfferChange,
): Promise<void> {
  const offer = await federatedOffer(tx.db, offerId);
  if (!offer || !isFederated(offer) || offer.status === "draft") return;
  const { event, extras } = offerEvent(publicUrl, offer);
  const values = {
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, CMCAS_ACTOR),
    object: event,
    tos: event.toIds,
    ccs: event.ccIds,
  };
  const activity = change === "published" ? new Create(values) : new Update(values);
  await publishToFollowers(tx, CMCAS_ACTOR, activity, extras);
}

/** The offer is gone: followers drop it, and its URL answers a Tombstone from now on. */
export async function federateDeletion(
  tx: Tx,
  publicUrl: URL,
  offer: { id: string; visibility: string; published_at: Date | null },
): Promise<void> {
  if (offer.visibility === "local" || offer.published_at === null) return;
  await tx.db
    .insertInto("offer_tombstones")
    .values({ offer_id: offer.id })
    .onConflict((oc) => oc.column("offer_id").doNothing())
    .execute();
  const actor = actorUri(publicUrl, CMCAS_ACTOR);
  const id = offerUri(publicUrl, offer.id);
  await publishToFollowers(
    tx,
    CMCAS_ACTOR,
    new Delete({
      id: newActivityId(publicUrl),
      actor,
      object: new Tombstone({ id }),
      tos:
        offer.visibility === "public"
          ? [new URL("https://www.w3.org/ns/activitystreams#Public")]
          : [],
      ccs: [new URL(`${actor.href}/followers`)],
    }),
  );
}
