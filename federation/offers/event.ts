// An offer as a FEP-8a8e `Event`. Fedify's vocabulary knows the ActivityStreams part (name,
// content, start and end, audience); the Mobilizon-compatible fields (schema.org capacity,
// timezone, join mode, postal address, status) and ours (registration window, ages) travel as
// extras, under the context terms below — the same names Mobilizon uses, so either side reads them.
import "../temporal.ts";
import { Event, Image, PUBLIC_COLLECTION } from "@fedify/vocab";
import type { Db } from "../../server/db/database.ts";
import type { ObjectExtras } from "../extras.ts";
import { textToHtml } from "../../server/lib/html-policy.ts";
import { actorUri, CMCAS_ACTOR } from "../uris.ts";

/** Our own terms (registration window, persons of a Join, reasons of a Reject). */
export const MAILLAGE_NS = "urn:maillage:ns#";

export const EVENT_CONTEXT: Record<string, unknown> = {
  sc: "http://schema.org#",
  mz: "https://joinmobilizon.org/ns#",
  ical: "http://www.w3.org/2002/12/cal/ical#",
  maillage: MAILLAGE_NS,
  timezone: "mz:timezone",
  joinMode: { "@id": "mz:joinMode", "@type": "mz:joinModeType" },
  maximumAttendeeCapacity: "sc:maximumAttendeeCapacity",
  remainingAttendeeCapacity: "sc:remainingAttendeeCapacity",
  participantCount: "mz:participantCount",
  anonymousParticipationEnabled: "mz:anonymousParticipationEnabled",
  category: "sc:category",
  isAccessibleForFree: "sc:isAccessibleForFree",
  eventStatus: { "@id": "sc:eventStatus", "@type": "@id" },
  typicalAgeRange: "sc:typicalAgeRange",
  address: "sc:address",
  PostalAddress: "sc:PostalAddress",
  streetAddress: "sc:streetAddress",
  postalCode: "sc:postalCode",
  addressLocality: "sc:addressLocality",
  addressCountry: "sc:addressCountry",
  registrationOpensAt: { "@id": "maillage:registrationOpensAt", "@type": "xsd:dateTime" },
  registrationClosesAt: { "@id": "maillage:registrationClosesAt", "@type": "xsd:dateTime" },
  cancellationDeadline: { "@id": "maillage:cancellationDeadline", "@type": "xsd:dateTime" },
  maxPersonsPerRegistration: "maillage:maxPersonsPerRegistration",
  persons: "maillage:persons",
  birthYears: { "@id": "maillage:birthYears", "@container": "@list" },
  reason: "maillage:reason",
  offers: "sc:offers",
  Offer: "sc:Offer",
  price: "sc:price",
  priceCurrency: "sc:priceCurrency",
  quotientUpTo: "maillage:quotientUpTo",
  audiences: { "@id": "maillage:audiences", "@container": "@set" },
  position: "maillage:position",
  xsd: "http://www.w3.org/2001/XMLSchema#",
};

export function offerUri(publicUrl: URL, offerId: string): URL {
  return new URL(`/offers/${offerId}`, publicUrl);
}

const OFFER_PATH = /^\/offers\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The id of our offer an Event URI names, if it is one of ours. */
export function localOfferId(publicUrl: URL, uri: URL | string | null | undefined) {
  if (!uri) return undefined;
  const url = typeof uri === "string" ? new URL(uri) : uri;
  return url.origin === publicUrl.origin ? OFFER_PATH.exec(url.pathname)?.[1] : undefined;
}

/** What an Event needs from the offers table. */
export async function federatedOffer(db: Db, offerId: string) {
  return (
    db
      .selectFrom("offers as o")
      .innerJoin("offer_categories as c", "c.id", "o.category_id")
      .selectAll("o")
      .select("c.slug as category_slug")
      // Its first image, in the size kept for other instances (ADR 0086).
      .select((eb) => [
        eb
          .selectFrom("offer_images as i")
          .select("i.id")
          .whereRef("i.offer_id", "=", "o.id")
          .orderBy("i.position")
          .orderBy("i.created_at")
          .limit(1)
          .as("image_id"),
        eb
          .selectFrom("offer_images as i")
          .select("i.alt")
          .whereRef("i.offer_id", "=", "o.id")
          .orderBy("i.position")
          .orderBy("i.created_at")
          .limit(1)
          .as("image_alt"),
      ])
      .where("o.id", "=", offerId)
      .where("o.remote_uri", "is", null)
      .executeTakeFirst()
  );
}
export type FederatedOffer = NonNullable<Awaited<ReturnType<typeof federatedOffer>>>;

/** Our offers other instances may see: published once, not kept to this instance. */
export function isFederated(offer: Pick<FederatedOffer, "visibility" | "published_at">): boolean {
  return offer.visibility !== "local" && offer.published_at !== null;
}

function ageRange(min: number | null, max: number | null): string | null {
  if (min === null && max === null) return null;
  return `${min ?? ""}-${max ?? ""}`;
}

/** A price band as a schema.org Offer: the price in euros as a decimal string, as schema.org asks. */
function priceOffer(tier: { upTo: number | null; price: number }) {
  return {
    type: "Offer",
    price: (tier.price / 100).toFixed(2),
    priceCurrency: "EUR",
    ...(tier.upTo === null ? {} : { quotientUpTo: tier.upTo }),
  };
}

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

export function offerEvent(
  publicUrl: URL,
  offer: FederatedOffer,
): { event: Event; extras: ObjectExtras } {
  const id = offerUri(publicUrl, offer.id);
  const actor = actorUri(publicUrl, CMCAS_ACTOR);
  const followers = new URL(`${actor.href}/followers`);
  const isPublic = offer.visibility === "public";
  const event = new Event({
    id,
    url: id,
    attribution: actor,
    name: offer.title,
    summary: offer.summary || null,
    content: offer.description_html || textToHtml(offer.summary),
    startTime: instant(offer.starts_at),
    endTime: instant(offer.ends_at),
    published: offer.published_at ? instant(offer.published_at) : null,
    updated: instant(offer.updated_at),
    tos: isPublic ? [PUBLIC_COLLECTION] : [followers],
    ccs: isPublic ? [followers] : [],
    // Only a public offer's image can be fetched by other servers (they fetch images unsigned).
    image:
      isPublic && offer.image_id
        ? new Image({
            url: new URL(`/offers/${offer.id}/images/${offer.image_id}/federation`, publicUrl),
            mediaType: "image/jpeg",
            name: offer.image_alt || null,
          })
        : null,
  });
  const cancelled = offer.status === "cancelled";
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const fields: Record<string, unknown> = {
    timezone: offer.timezone,
    joinMode: "free",
    anonymousParticipationEnabled: false,
    maximumAttendeeCapacity: offer.capacity,
    remainingAttendeeCapacity: Math.max(0, offer.capacity - offer.places_taken),
    participantCount: offer.places_taken,
    category: offer.category_slug,
    // Receivers show an event without prices as free only when it says so.
    isAccessibleForFree: offer.price_tiers.length === 0,
    "ical:status": cancelled ? "CANCELLED" : "CONFIRMED",
    eventStatus: cancelled
      ? "http://schema.org/EventCancelled"
      : "http://schema.org/EventScheduled",
    typicalAgeRange: ageRange(offer.min_age, offer.max_age),
    // The price by family quotient band (schema.org Offers, the band's upper bound ours), and
    // who it is meant for, so that the hub and the catalogues can filter remote offers too.
    offers: offer.price_tiers.length ? offer.price_tiers.map(priceOffer) : null,
    audiences: offer.audiences,
    registrationOpensAt: iso(offer.registration_opens_at),
    registrationClosesAt: iso(offer.registration_closes_at),
    cancellationDeadline: iso(offer.cancellation_deadline),
    maxPersonsPerRegistration: offer.max_persons_per_registration,
    location:
      offer.location_kind === "online"
        ? null
        : {
            type: "Place",
            name: offer.address || offer.city,
            address: {
              type: "PostalAddress",
              streetAddress: offer.address,
              postalCode: offer.postal_code,
              addressLocality: offer.city,
              addressCountry: "France",
            },
            ...(offer.latitude !== null && offer.longitude !== null
              ? { latitude: offer.latitude, longitude: offer.longitude }
              : {}),
          },
  };
  for (const key of Object.keys(fields)) if (fields[key] === null) delete fields[key];
  return { event, extras: { context: EVENT_CONTEXT, fields } };
}

/** Served Events carry their extras (moved beside the other extras helpers). */
export { servedWithExtras } from "../extras.ts";
