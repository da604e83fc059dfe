// Our offers at their own URL: ActivityStreams to `Accept: application/activity+json`, the HTML
// page (Express) otherwise. Drafts and local-only offers are not served; `network` ones only to
// signed requests from allowed instances; a deleted offer answers a Tombstone.
import "../temporal.ts";
import type { Federation } from "@fedify/fedify";
import { Event, Tombstone } from "@fedify/vocab";
import type { FederationDeps } from "../deps.ts";
import { federatedOffer, isFederated, offerEvent, offerUri, servedWithExtras } from "./event.ts";
import { tolerate } from "../tolerate.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerOfferObjects(federation: Federation<void>, deps: FederationDeps): void {
  const { db, config } = deps.app;
  federation
    .setObjectDispatcher(Event, "/offers/{id}", async (_ctx, { id }) => {
      if (!UUID.test(id)) return null;
      const offer = await federatedOffer(db, id);
      if (offer && isFederated(offer) && offer.status !== "draft") {
        const { event, extras } = offerEvent(config.publicUrl, offer);
        return servedWithExtras(event, extras);
      }
      if (offer) return null;
      const gone = await db
        .selectFrom("offer_tombstones")
        .select("deleted_at")
        .where("offer_id", "=", id)
        .executeTakeFirst();
      if (!gone) return null;
      const tombstone = new Tombstone({
        id: offerUri(config.publicUrl, id),
        formerType: Event,
        deleted: Temporal.Instant.fromEpochMilliseconds(gone.deleted_at.getTime()),
      });
      return tombstone as unknown as Event;
    })
    .authorize(async (ctx, { id }) => {
      if (!UUID.test(id)) return true;
      const offer = await federatedOffer(db, id);
      if (!offer || offer.visibility === "public") return true;
      const owner = await tolerate(
        ctx.getSignedKeyOwner(),
        null,
        deps.app.log.child({ offer: id }),
        "reading the signature of a fetch",
      );
      return owner?.id ? deps.policy.allows(owner.id) : false;
    });
}
