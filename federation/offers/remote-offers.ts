// Events of the CMCAS (and other event publishers) we follow, read for the offers service, which
// keeps them in this instance's catalogue with the territory they come from. They are read from
// their compact JSON as the publisher wrote it: Mobilizon and Maillage use the same term names for capacity, timezone,
// status and postal address; Gancio sends only the ActivityStreams part.
import { DateTime } from "luxon";
import { plainText } from "../../server/offers/rich-text.ts";
import type { AppContext } from "../../server/context.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import {
  createRemoteOffer,
  refreshRemoteOffer,
  type RemoteEvent,
} from "../../server/offers/remote-offers.service.ts";
import { wantMedia } from "../media/media.ts";
import type { Audience } from "../../server/offers/offers.tables.ts";
import type { RemoteActor } from "../actors/remote.ts";
import { sanitizeHtmlAs } from "../../server/lib/html-policy.ts";
import { hostOf } from "../uris.ts";

type Json = Record<string, unknown>;

const PUBLIC = new Set(["https://www.w3.org/ns/activitystreams#Public", "as:Public", "Public"]);
const UNLIMITED = 100_000;
const TIMEZONES = new Set(Intl.supportedValuesOf("timeZone"));

const text = (v: unknown): string =>
  typeof v === "string" ? v : Array.isArray(v) ? text(v[0]) : "";
const many = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
const idOf = (v: unknown): string =>
  typeof v === "string" ? v : typeof v === "object" && v !== null ? text((v as Json).id) : "";
const int = (v: unknown): number | null => {
  const n = typeof v === "string" ? Number(v) : v;
  return typeof n === "number" && Number.isFinite(n) ? Math.round(n) : null;
};
const date = (v: unknown): Date | null => {
  const d = typeof v === "string" ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? d : null;
};

function ages(range: unknown): { min: number | null; max: number | null } {
  const match = /^\s*(\d{1,3})?\s*-\s*(\d{1,3})?\s*$/.exec(text(range));
  const bound = (s: string | undefined) => (s ? Math.min(120, Number(s)) : null);
  const min = bound(match?.[1]);
  const max = bound(match?.[2]);
  return min !== null && max !== null && min > max ? { min: null, max: null } : { min, max };
}

/** Mobilizon's categories (upper case, as it sends them) and the close ones of other event
 * software, filed under ours; anything else goes to the fallback category. */
const CATEGORIES: Record<string, string> = {
  ARTS: "culture",
  BOOK_CLUBS: "culture",
  COMEDY: "culture",
  FILM_MEDIA: "culture",
  LANGUAGE_CULTURE: "culture",
  MUSIC: "culture",
  PERFORMING_VISUAL_ARTS: "culture",
  PHOTOGRAPHY: "culture",
  THEATRE: "culture",
  SPORTS: "sport",
  OUTDOORS_ADVENTURE: "sport",
  HEALTH: "sport",
  CRAFTS: "ateliers",
  LEARNING: "ateliers",
  SCIENCE_TECH: "ateliers",
  BUSINESS: "ateliers",
  CAUSES: "solidarite",
  COMMUNITY: "solidarite",
  MOVEMENTS_POLITICS: "solidarite",
  FAMILY_EDUCATION: "jeunesse",
  FOOD_DRINK: "loisirs",
  GAMES: "loisirs",
  PARTY: "loisirs",
  AUTO_BOAT_AIR: "loisirs",
  PETS: "loisirs",
  MEETING: "loisirs",
  NETWORKING: "loisirs",
};

function categorySlug(value: unknown): string {
  const raw = text(value).trim();
  return CATEGORIES[raw.toUpperCase()] ?? raw.toLowerCase();
}

/** The place as one line: its name (a hall, a park) before its street address, when both. */
function placeLine(place: Json | false, address: Json | false): string {
  const name = place ? text(place.name).trim() : "";
  const street = address ? text(address.streetAddress).trim() : "";
  if (!street) return name;
  return name && !street.toLowerCase().includes(name.toLowerCase()) ? `${name}, ${street}` : street;
}

/** Price bands from schema.org Offers in euros (one without a band is the price for everyone);
 * bands out of order, other currencies or bad prices make it "price unknown", as before. */
function priceTiers(event: Json): string {
  const tiers: { upTo: number | null; price: number }[] = [];
  for (const item of many(event.offers)) {
    if (typeof item !== "object" || item === null) return unknownPrice(event);
    const offer = item as Json;
    const currency = text(offer.priceCurrency) || "EUR";
    const euros = Number(typeof offer.price === "number" ? offer.price : text(offer.price));
    const upTo = int(offer.quotientUpTo);
    if (currency !== "EUR" || !Number.isFinite(euros) || euros < 0 || euros > 100_000)
      return unknownPrice(event);
    tiers.push({ upTo: upTo !== null && upTo >= 0 ? upTo : null, price: Math.round(euros * 100) });
  }
  if (tiers.length === 0 || tiers.length > 10) return unknownPrice(event);
  for (let i = 1; i < tiers.length; i++) {
    const previous = tiers[i - 1]!.upTo;
    const current = tiers[i]!.upTo;
    if (previous === null || (current !== null && current <= previous)) return unknownPrice(event);
  }
  return JSON.stringify(tiers);
}

// Without prices, only an event that says it is free is shown as free (schema.org term).
const unknownPrice = (event: Json) =>
  [true, "true"].includes(event.isAccessibleForFree as never) ? '[{"upTo":null,"price":0}]' : "[]";

const AUDIENCES = new Set(["tous", "familles", "jeunes", "pensionnes"]);

/** Who the offer is for, when the publisher says it in our terms; everyone otherwise. */
function audiences(event: Json): Audience[] {
  const known = many(event.audiences).filter((a): a is Audience => AUDIENCES.has(text(a)));
  return known.length ? [...new Set(known)] : ["tous"];
}

function isCancelled(event: Json): boolean {
  const status = text(event.status).toUpperCase();
  return status === "CANCELLED" || /EventCancelled$/.test(text(event.eventStatus));
}

/** What we keep of an Event published by `actor`; undefined when it is not one we can show. */
export function readRemoteEvent(
  event: Json,
  actor: RemoteActor,
): (RemoteEvent & { picture: { url: string; alt: string } | undefined }) | undefined {
  const uri = idOf(event);
  if (text(event.type) !== "Event" || !uri || hostOf(uri) !== actor.host) return undefined;
  const attributed = many(event.attributedTo).map(idOf);
  if (attributed.length > 0 && !attributed.includes(actor.uri)) return undefined;
  const startsAt = date(event.startTime);
  if (!startsAt) return undefined;
  const end = date(event.endTime);
  const endsAt = end && end >= startsAt ? end : startsAt;
  const name = text(event.name).trim().slice(0, 150) || text(event.summary).slice(0, 60);
  const title = name.length >= 3 ? name : `${name}…`.padEnd(3, "…");
  const html = sanitizeHtmlAs("federated", text(event.content));
  const place = (typeof event.location === "object" && event.location) as Json | false;
  const address = (place && typeof place.address === "object" && place.address) as Json | false;
  const lat = place ? Number(place.latitude) : NaN;
  const lon = place ? Number(place.longitude) : NaN;
  const coordinates =
    Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
  // Mobilizon sends 0 for "no limit".
  const declared = int(event.maximumAttendeeCapacity);
  const capacity = Math.min(UNLIMITED, declared !== null && declared > 0 ? declared : UNLIMITED);
  const remaining = int(event.remainingAttendeeCapacity);
  const count = int(event.participantCount);
  const limited = declared !== null && declared > 0;
  const taken = limited && remaining !== null ? capacity - remaining : (count ?? 0);
  const range = ages(event.typicalAgeRange);
  const timezone = text(event.timezone);
  const audience = [...many(event.to), ...many(event.cc)].map(idOf);
  const url = idOf(event.url) || uri;
  const summary = plainText(sanitizeHtmlAs("federated", text(event.summary))).slice(0, 300);
  return {
    uri,
    picture: eventPicture(event),
    values: {
      category_slug: categorySlug(event.category),
      title,
      summary: summary || plainText(html).slice(0, 300),
      description_html: html,
      description_text: plainText(html),
      starts_at: startsAt,
      ends_at: endsAt,
      timezone: TIMEZONES.has(timezone) ? timezone : "Europe/Paris",
      registration_opens_at: date(event.registrationOpensAt),
      registration_closes_at: date(event.registrationClosesAt),
      cancellation_deadline: date(event.cancellationDeadline),
      location_kind: place ? "place" : "online",
      address: placeLine(place, address),
      postal_code: address ? text(address.postalCode) || null : null,
      // Without a postal address (Gancio), the place's name stands for where it is.
      city: (address ? text(address.addressLocality) : "") || (place ? text(place.name) : ""),
      latitude: coordinates ? lat : null,
      longitude: coordinates ? lon : null,
      online_url: place ? null : /^https?:\/\//.test(url) ? url : null,
      capacity,
      places_taken: Math.min(capacity, Math.max(0, taken)),
      max_persons_per_registration: Math.min(
        50,
        Math.max(1, int(event.maxPersonsPerRegistration) ?? 1),
      ),
      min_age: range.min,
      max_age: range.max,
      price_tiers: priceTiers(event),
      audiences: audiences(event),
      status: isCancelled(event) ? "cancelled" : "published",
      visibility: audience.some((a) => PUBLIC.has(a)) ? "public" : "network",
      published_at: date(event.published) ?? new Date(),
      remote_uri: uri,
      remote_url: /^https?:\/\//.test(url) ? url : null,
    },
  };
}

/** A picture's URL: a string, a `Link` (`href`) or the first of a list. */
function hrefOf(v: unknown): string {
  if (typeof v === "string") return v;
  if (Array.isArray(v)) return hrefOf(v[0]);
  if (typeof v === "object" && v !== null) return text((v as Json).href) || hrefOf((v as Json).url);
  return "";
}

/** An Event's picture: its `image` (ours), else its first image attachment (`Image`, or a
 * `Document` with an `image/*` type). */
export function eventPicture(event: Json): { url: string; alt: string } | undefined {
  const candidates = [
    ...many(event.image).map((item) => ({ item, image: true })),
    ...many(event.attachment).map((item) => ({ item, image: false })),
  ];
  for (const { item, image } of candidates) {
    const o = typeof item === "object" && item !== null ? (item as Json) : undefined;
    const isImage = o ? text(o.type) === "Image" || text(o.mediaType).startsWith("image/") : image;
    const url = o ? hrefOf(o.url) || hrefOf(o.href) : hrefOf(item);
    if (isImage && /^https?:\/\//.test(url))
      return { url, alt: o ? text(o.name).trim().slice(0, 300) : "" };
  }
  return undefined;
}

/**
 * Keeps an Event read by `readRemoteEvent` in the catalogue, its picture through our own copy
 * (asked for here, made by a job: ADR 0161), never hot-linked.
 */
export async function keepRemoteOffer(
  app: AppContext,
  publisherId: number,
  event: RemoteEvent & { picture?: { url: string; alt: string } | undefined },
): Promise<string> {
  const { picture, ...kept } = event;
  const path = picture ? await wantMedia(app, picture.url, "picture") : null;
  kept.values = {
    ...kept.values,
    remote_image: path,
    remote_image_alt: path ? picture!.alt || null : null,
  };
  return (
    (await createRemoteOffer(app.db, publisherId, kept)) ??
    app.transaction((tx) => refreshRemoteOffer(tx, bookingDeps(app), publisherId, kept))
  );
}

/** Whether an event published on `startsAt`… is still to come (backfill keeps those only). */
export function upcoming(event: RemoteEvent, now = new Date()): boolean {
  return DateTime.fromJSDate(event.values.ends_at as Date) >= DateTime.fromJSDate(now);
}
