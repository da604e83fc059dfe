// Staff side of offers: write, duplicate, publish, cancel, complete. Places and registrations
// are the booking service's business (registrations.service.ts).
import { contentChanged } from "../lib/changes.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { slvieExists } from "../members/members.repo.ts";
import * as repo from "./offers.repo.ts";
import type { Audience, LocationKind, PriceTier, Visibility } from "./offers.tables.ts";
import { plainText, sanitizeDescription } from "./rich-text.ts";
import {
  cancelEveryRegistration,
  fillFreedPlaces,
  type BookingDeps,
} from "./registrations.service.ts";

export interface OfferInput {
  title: string;
  summary: string;
  /** Simple HTML or plain text; sanitized here. */
  description: string;
  categoryId: string;
  audiences: Audience[];
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  registrationOpensAt: Date | null;
  registrationClosesAt: Date | null;
  cancellationDeadline: Date | null;
  locationKind: LocationKind;
  address: string;
  postalCode: string | null;
  city: string;
  latitude: number | null;
  longitude: number | null;
  onlineUrl: string | null;
  capacity: number;
  maxPersonsPerRegistration: number;
  minAge: number | null;
  maxAge: number | null;
  priceTiers: PriceTier[];
  organiserSlvieId: string | null;
  visibility: Visibility;
}

/** A rule an input breaks, named by its field and a message key of the offers catalogue. */
export interface OfferProblem {
  field: keyof OfferInput | "status";
  key: string;
}

export const TIMEZONES = new Set(Intl.supportedValuesOf("timeZone"));

function check(input: OfferInput): OfferProblem[] {
  const problems: OfferProblem[] = [];
  const add = (field: OfferProblem["field"], key: string) =>
    problems.push({ field, key: `offers:edit.errors.${key}` });
  if (input.endsAt < input.startsAt) add("endsAt", "endBeforeStart");
  if (!TIMEZONES.has(input.timezone)) add("timezone", "timezone");
  const closes = input.registrationClosesAt ?? input.startsAt;
  if (input.registrationClosesAt && input.registrationClosesAt > input.startsAt)
    add("registrationClosesAt", "closesAfterStart");
  if (input.registrationOpensAt && input.registrationOpensAt >= closes)
    add("registrationOpensAt", "opensAfterClose");
  if (input.cancellationDeadline && input.cancellationDeadline > input.startsAt)
    add("cancellationDeadline", "deadlineAfterStart");
  if (input.minAge !== null && input.maxAge !== null && input.minAge > input.maxAge)
    add("maxAge", "ages");
  if (input.maxPersonsPerRegistration > input.capacity)
    add("maxPersonsPerRegistration", "maxPersonsOverCapacity");
  if (input.locationKind === "online" && !input.onlineUrl) add("onlineUrl", "onlineUrl");
  if (input.locationKind === "place" && !input.city) add("city", "city");
  if ((input.latitude === null) !== (input.longitude === null)) add("latitude", "coordinates");
  const bands = input.priceTiers;
  for (let i = 1; i < bands.length; i++) {
    const previous = bands[i - 1]!.upTo;
    const current = bands[i]!.upTo;
    if (previous === null || (current !== null && current <= previous)) {
      add("priceTiers", "tiers");
      break;
    }
  }
  if (input.audiences.length === 0) add("audiences", "audiences");
  return problems;
}

/** Checks an offer and turns it into table columns (sanitized description, coordinates). */
export async function offerColumns(
  db: Db,
  input: OfferInput,
): Promise<Result<repo.OfferUpdate, "invalid">> {
  const problems = check(input);
  if (!(await repo.findCategory(db, input.categoryId)))
    problems.push({ field: "categoryId", key: "offers:edit.errors.category" });
  if (input.organiserSlvieId && !(await slvieExists(db, input.organiserSlvieId)))
    problems.push({ field: "organiserSlvieId", key: "offers:edit.errors.organiser" });
  if (problems.length) return fail("invalid", { problems });
  let { latitude, longitude } = input;
  const online = input.locationKind === "online";
  // Without coordinates, the postal code places the offer for the "near me" search.
  if (!online && latitude === null && input.postalCode) {
    const place = await repo.findPostalPlace(db, input.postalCode);
    if (place) ({ latitude, longitude } = place);
  }
  const html = sanitizeDescription(input.description);
  return ok({
    title: input.title.trim(),
    summary: input.summary.trim(),
    description_html: html,
    description_text: plainText(html),
    category_id: input.categoryId,
    audiences: [...new Set(input.audiences)],
    starts_at: input.startsAt,
    ends_at: input.endsAt,
    timezone: input.timezone,
    registration_opens_at: input.registrationOpensAt,
    registration_closes_at: input.registrationClosesAt,
    cancellation_deadline: input.cancellationDeadline,
    location_kind: input.locationKind,
    address: online ? "" : input.address.trim(),
    postal_code: online ? null : input.postalCode,
    city: online ? "" : input.city.trim(),
    latitude: online ? null : latitude,
    longitude: online ? null : longitude,
    online_url: online ? input.onlineUrl : null,
    capacity: input.capacity,
    max_persons_per_registration: input.maxPersonsPerRegistration,
    min_age: input.minAge,
    max_age: input.maxAge,
    price_tiers: JSON.stringify(input.priceTiers),
    min_price_cents: input.priceTiers.length
      ? Math.min(...input.priceTiers.map((t) => t.price))
      : 0,
    organiser_slvie_id: input.organiserSlvieId,
    visibility: input.visibility,
  });
}

export type OfferWriteError = "invalid" | "not_found";

export async function createOffer(
  tx: Tx,
  deps: BookingDeps,
  staffId: string,
  input: OfferInput,
  publish = false,
): Promise<Result<repo.Offer, OfferWriteError>> {
  const values = await offerColumns(tx.db, input);
  if (!values.ok) return values;
  const id = await repo.insertOffer(tx.db, {
    ...(values.value as repo.OfferInsert),
    created_by: staffId,
    status: publish ? "published" : "draft",
    published_at: publish ? new Date() : null,
  });
  if (publish) await deps.federation.published(tx, id);
  if (publish) tx.afterCommit(contentChanged);
  return ok((await repo.findOffer(tx.db, id))!);
}

/** Edits an offer; a larger capacity serves the waiting list, a smaller one may not drop
 * below the places already confirmed. */
export async function updateOffer(
  tx: Tx,
  deps: BookingDeps,
  id: string,
  input: OfferInput,
): Promise<Result<repo.Offer, OfferWriteError>> {
  const locked = await repo.lockOffer(tx.db, id);
  if (!locked) return fail("not_found");
  const values = await offerColumns(tx.db, input);
  if (!values.ok) return values;
  if (input.capacity < locked.places_taken)
    return fail("invalid", {
      problems: [{ field: "capacity", key: "offers:edit.errors.capacityBelowTaken" }],
      taken: locked.places_taken,
    });
  await repo.updateOffer(tx.db, id, values.value);
  if (input.capacity > locked.capacity)
    await fillFreedPlaces(tx, deps, {
      ...locked,
      capacity: input.capacity,
      starts_at: input.startsAt,
    });
  // Followers see changes of published (or cancelled) offers; drafts stay here.
  await deps.federation.updated(tx, id);
  tx.afterCommit(contentChanged);
  return ok((await repo.findOffer(tx.db, id))!);
}

export async function duplicateOffer(
  tx: Tx,
  staffId: string,
  id: string,
): Promise<Result<string, "not_found">> {
  const source = await repo.rawOffer(tx.db, id);
  if (!source) return fail("not_found");
  const { id: _id, search: _search, created_at: _created, updated_at: _updated, ...copy } = source;
  const newId = await repo.insertOffer(tx.db, {
    ...copy,
    title: `${source.title} (copie)`.slice(0, 150),
    price_tiers: JSON.stringify(source.price_tiers),
    status: "draft",
    places_taken: 0,
    published_at: null,
    cancellation_reason: null,
    last_minute_announced_at: null,
    created_by: staffId,
  });
  await repo.copyImages(tx.db, id, newId);
  return ok(newId);
}

export async function publishOffer(
  tx: Tx,
  deps: BookingDeps,
  id: string,
): Promise<Result<void, "not_found" | "not_draft" | "past">> {
  const offer = await repo.lockOffer(tx.db, id);
  if (!offer) return fail("not_found");
  if (offer.status !== "draft") return fail("not_draft");
  // Nobody could register any more: publishing would only announce a past activity.
  if (offer.starts_at <= (deps.now ?? new Date())) return fail("past");
  await repo.updateOffer(tx.db, id, { status: "published", published_at: new Date() });
  await deps.federation.published(tx, id);
  tx.afterCommit(contentChanged);
  return ok(undefined);
}

/** Cancels an offer and tells every registrant, with the reason staff gave. */
export async function cancelOffer(
  tx: Tx,
  deps: BookingDeps,
  id: string,
  reason: string,
): Promise<Result<{ told: number }, "not_found" | "not_cancellable">> {
  const offer = await repo.lockOffer(tx.db, id);
  if (!offer) return fail("not_found");
  if (offer.status === "cancelled" || offer.status === "completed") return fail("not_cancellable");
  await repo.updateOffer(tx.db, id, { status: "cancelled", cancellation_reason: reason });
  const told = await cancelEveryRegistration(tx, deps, offer, reason);
  await deps.federation.cancelled(tx, id);
  // Cached pages must not list it as bookable any longer (ADR 0150).
  tx.afterCommit(contentChanged);
  return ok({ told });
}

/** Deletes a draft or a cancelled offer (no registration is active any more). */
export async function deleteOffer(
  tx: Tx,
  deps: BookingDeps,
  id: string,
): Promise<Result<void, "not_found" | "not_deletable">> {
  const offer = await repo.lockOffer(tx.db, id);
  if (!offer) return fail("not_found");
  if (offer.status !== "draft" && offer.status !== "cancelled") return fail("not_deletable");
  const row = await tx.db
    .deleteFrom("offers")
    .where("id", "=", id)
    .where("remote_uri", "is", null)
    .returning(["id", "visibility", "published_at"])
    .executeTakeFirst();
  if (!row) return fail("not_found");
  // Other instances saw it: they drop it, and its URL answers a Tombstone from now on.
  if (row.visibility !== "local" && row.published_at !== null) {
    await tx.db
      .insertInto("offer_tombstones")
      .values({ offer_id: row.id })
      .onConflict((oc) => oc.column("offer_id").doNothing())
      .execute();
    await deps.federation.deleted(tx, row);
  }
  return ok(undefined);
}

/** Marks ended published offers as completed (periodic sweep). */
export async function completeEndedOffers(db: Db, now = new Date()): Promise<number> {
  const result = await db
    .updateTable("offers")
    .set({ status: "completed", updated_at: now })
    .where("status", "=", "published")
    .where("ends_at", "<", now)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}
