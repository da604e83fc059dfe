// The offers' port (server/offers/offers.port.ts): what our offers and bookings send. Called by
// the offers services inside their transaction, so the activities are delivered after commit.
// - our offers to the CMCAS's followers: Create, Update (also when cancelled, full or not any
//   more), Delete; with each public one, its short Note for microblog followers when the
//   administrator asks for it (offer-note.ts);
// - our members on other instances' offers: Join and Leave, from the member's Person actor;
// - other instances' members on ours: Accept, TentativeAccept (with the rank) or Reject (with the
//   reason) of their Join, from the CMCAS; staff messages as a direct Note.
import "../temporal.ts";
import {
  Accept,
  Create,
  Join,
  Leave,
  Mention,
  Note,
  Reject,
  TentativeAccept,
  Update,
} from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import type { OffersPort, RemoteRegistration } from "../../server/offers/offers.port.ts";
import { findRemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { deleteFromCmcas, publishToFollowers, sendToActors } from "../outbox.ts";
import { textToHtml } from "../../server/lib/html-policy.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";
import { syncOfferNote } from "./offer-note.ts";
import {
  EVENT_CONTEXT,
  federatedOffer,
  isFederated,
  offerEvent,
  offerUri,
  type FederatedOffer,
} from "./event.ts";

async function federateOffer(
  tx: Tx,
  deps: FederationDeps,
  offerId: string,
  change: "Create" | "Update",
) {
  const publicUrl = deps.app.config.publicUrl;
  const offer = await federatedOffer(tx.db, offerId);
  if (!offer) return;
  if (isFederated(offer) && offer.status !== "draft") await sendEvent(tx, publicUrl, offer, change);
  // After the Event; also when the offer is not federated any more (its note is deleted).
  await syncOfferNote(tx, deps, offerId, offer);
}

async function sendEvent(
  tx: Tx,
  publicUrl: URL,
  offer: FederatedOffer,
  change: "Create" | "Update",
) {
  const { event, extras } = offerEvent(publicUrl, offer);
  const values = {
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, CMCAS_ACTOR),
    object: event,
    tos: event.toIds,
    ccs: event.ccIds,
  };
  const activity = change === "Create" ? new Create(values) : new Update(values);
  await publishToFollowers(tx, CMCAS_ACTOR, activity, extras);
}

/** The Join a registration of another instance's member came with, rebuilt for answers. */
function joinOf(publicUrl: URL, r: RemoteRegistration) {
  return new Join({
    id: new URL(r.joinActivityId),
    actor: new URL(r.actorUrl),
    object: offerUri(publicUrl, r.offerId),
  });
}

/** An answer from the CMCAS to another instance's member's Join. */
function answer(publicUrl: URL, registration: RemoteRegistration) {
  return {
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, CMCAS_ACTOR),
    object: joinOf(publicUrl, registration),
    to: new URL(registration.actorUrl),
  };
}

/** Our terms (persons, birth years, rank, reason) ride on the activity itself. */
const withFields = (activityFields: Record<string, unknown>) => ({
  context: EVENT_CONTEXT,
  fields: {},
  activityFields,
});

export function offersPort(deps: FederationDeps): OffersPort {
  const publicUrl = deps.app.config.publicUrl;
  const publisher = async (tx: Tx, id: number) => {
    const actor = await findRemoteActor(tx.db, { id });
    if (!actor) throw new Error(`no publisher ${id} for a remote offer`);
    return new URL(actor.uri);
  };
  return {
    published: (tx, offerId) => federateOffer(tx, deps, offerId, "Create"),
    updated: (tx, offerId) => federateOffer(tx, deps, offerId, "Update"),
    cancelled: (tx, offerId) => federateOffer(tx, deps, offerId, "Update"),

    async deleted(tx, offer) {
      await deleteFromCmcas(tx, publicUrl, offerUri(publicUrl, offer.id), {
        public: offer.visibility === "public",
      });
      await syncOfferNote(tx, deps, offer.id, undefined);
    },

    async joinRequested(tx, request) {
      const to = await publisher(tx, request.publisherId);
      const id = newActivityId(publicUrl);
      await sendToActors(
        tx,
        request.userId,
        [to],
        new Join({
          id,
          actor: actorUri(publicUrl, request.userId),
          object: new URL(request.offerUri),
          to,
        }),
        // Ages leave only when the offer has age rules.
        withFields({
          persons: request.persons,
          ...(request.birthYears ? { birthYears: request.birthYears } : {}),
        }),
      );
      return id.href;
    },

    async left(tx, request) {
      const to = await publisher(tx, request.publisherId);
      await sendToActors(
        tx,
        request.userId,
        [to],
        new Leave({
          id: newActivityId(publicUrl),
          actor: actorUri(publicUrl, request.userId),
          object: new URL(request.offerUri),
          to,
        }),
      );
    },

    async joinAnswered(tx, registration, outcome) {
      const values = answer(publicUrl, registration);
      if (outcome.status === "refused")
        return sendToActors(
          tx,
          CMCAS_ACTOR,
          [values.to],
          new Reject(values),
          withFields({ reason: outcome.reason, ...(outcome.details ?? {}) }),
        );
      const activity =
        outcome.status === "confirmed" ? new Accept(values) : new TentativeAccept(values);
      await sendToActors(
        tx,
        CMCAS_ACTOR,
        [values.to],
        activity,
        withFields(outcome.position === undefined ? {} : { position: outcome.position }),
      );
    },

    async promoted(tx, registration) {
      const values = answer(publicUrl, registration);
      await sendToActors(tx, CMCAS_ACTOR, [values.to], new Accept(values));
    },

    async removedByStaff(tx, registration) {
      const values = answer(publicUrl, registration);
      await sendToActors(
        tx,
        CMCAS_ACTOR,
        [values.to],
        new Reject(values),
        withFields({ reason: "removed_by_staff" }),
      );
    },

    // A direct Note, addressed to and mentioning each person, in reply to the offer's Event: their
    // instance turns it into the notice its members get for local offers.
    async messageSent(tx, offer, body, actorUrls) {
      const actor = actorUri(publicUrl, CMCAS_ACTOR);
      for (const url of new Set(actorUrls)) {
        const to = new URL(url);
        const activityId = newActivityId(publicUrl);
        await sendToActors(
          tx,
          CMCAS_ACTOR,
          [to],
          new Create({
            id: activityId,
            actor,
            to,
            object: new Note({
              id: new URL(`${activityId.href}#note`),
              attribution: actor,
              to,
              replyTarget: offerUri(publicUrl, offer.id),
              name: offer.title,
              content: textToHtml(body),
              tags: [new Mention({ href: to })],
              published: Temporal.Now.instant(),
            }),
          }),
        );
      }
    },
  };
}
