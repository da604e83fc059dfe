// Solidarity housing listings: a room, a flat share or a short stay, offered or wanted, in a
// commune (from the bundled postal data: no address), with dates, a rent or free, conditions.
// A listing is shown while open and not past its end date; its author marks it taken.
import { removalSetter } from "../../server/moderation/listing-rows.ts";
import { DateTime } from "luxon";
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import { findPostalPlace, isUuid } from "../../server/offers/offers.repo.ts";
import { DEFAULT_TIMEZONE } from "../../server/offers/offers.schemas.ts";
import type { Housing, HousingKind, Purpose } from "./logement.tables.ts";
import "./logement.tables.ts";

export const HOUSING: readonly Housing[] = ["room", "flatshare", "short_stay"];
export const PURPOSES: readonly Purpose[] = ["mobility", "training", "young_hire", "other"];

export interface HousingInput {
  kind: HousingKind;
  housing: Housing;
  purpose: Purpose;
  title: string;
  description: string;
  conditions: string;
  fromDate: string;
  toDate: string | null;
  place: string;
  rentCents: number;
}

export type HousingError =
  "kind" | "housing" | "purpose" | "title" | "fromDate" | "toDate" | "place" | "rent";

export const today = () => DateTime.now().setZone(DEFAULT_TIMEZONE).toISODate()!;
const isDate = (v: string) => /^\d{4}-\d{2}-\d{2}$/.test(v) && DateTime.fromISO(v).isValid;

export async function createListing(
  tx: Tx,
  userId: string,
  input: HousingInput,
  maxDays: number,
): Promise<Result<{ id: string }, HousingError>> {
  if (input.kind !== "offer" && input.kind !== "request") return fail("kind");
  if (!HOUSING.includes(input.housing)) return fail("housing");
  if (!PURPOSES.includes(input.purpose)) return fail("purpose");
  const title = input.title.trim();
  if (title.length < 3 || title.length > 120) return fail("title");
  if (!isDate(input.fromDate)) return fail("fromDate");
  if (input.toDate !== null) {
    if (!isDate(input.toDate) || input.toDate < input.fromDate || input.toDate < today())
      return fail("toDate");
    const days = DateTime.fromISO(input.toDate).diff(DateTime.fromISO(input.fromDate), "days").days;
    if (days > maxDays) return fail("toDate", { max: maxDays });
  }
  const place = await findPostalPlace(tx.db, input.place);
  if (!place) return fail("place");
  if (!Number.isInteger(input.rentCents) || input.rentCents < 0 || input.rentCents > 500_000)
    return fail("rent");
  const row = await tx.db
    .insertInto("housing_listings")
    .values({
      user_id: userId,
      kind: input.kind,
      housing: input.housing,
      purpose: input.purpose,
      title,
      description: input.description.trim().slice(0, 3000),
      conditions: input.conditions.trim().slice(0, 1000),
      from_date: input.fromDate,
      to_date: input.toDate,
      postal_code: place.code,
      commune: place.commune,
      rent_cents: input.rentCents,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok({ id: row.id });
}

/** Listings still available: open, not removed, not past their end date. */
export async function listListings(
  db: Db,
  filter: {
    kind?: HousingKind | undefined;
    housing?: Housing | undefined;
    commune?: string | undefined;
    limit?: number;
  } = {},
) {
  let query = db
    .selectFrom("housing_listings as h")
    .innerJoin("users as u", "u.id", "h.user_id")
    .selectAll("h")
    .select("u.display_name as author")
    .where("h.status", "=", "open")
    .where("h.removed_reason", "is", null)
    .where((eb) => eb.or([eb("h.to_date", "is", null), eb("h.to_date", ">=", today())]));
  if (filter.kind) query = query.where("h.kind", "=", filter.kind);
  if (filter.housing) query = query.where("h.housing", "=", filter.housing);
  if (filter.commune) query = query.where("h.postal_code", "=", filter.commune);
  return query
    .orderBy("h.created_at", "desc")
    .limit(filter.limit ?? 200)
    .execute();
}

export async function findListing(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("housing_listings as h")
    .leftJoin("users as u", "u.id", "h.user_id")
    .selectAll("h")
    .select("u.display_name as author")
    .where("h.id", "=", id)
    .executeTakeFirst();
}
export type Listing = NonNullable<Awaited<ReturnType<typeof findListing>>>;

/** Shown to others while open, not removed and not expired. */
export const available = (l: Listing) =>
  l.status === "open" && l.removed_reason === null && (l.to_date === null || l.to_date >= today());

export async function setStatus(
  db: Db,
  id: string,
  userId: string,
  status: "taken" | "closed",
): Promise<Result<void, "not_found">> {
  if (!isUuid(id)) return fail("not_found");
  const done = await db
    .updateTable("housing_listings")
    .set({ status })
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .where("status", "=", "open")
    .executeTakeFirst();
  return Number(done.numUpdatedRows) > 0 ? ok(undefined) : fail("not_found");
}

export const setRemoved = removalSetter("housing_listings");

export async function closeForAccount(tx: Tx, userId: string): Promise<void> {
  await tx.db
    .updateTable("housing_listings")
    .set({ status: "closed" })
    .where("user_id", "=", userId)
    .where("status", "=", "open")
    .execute();
}
