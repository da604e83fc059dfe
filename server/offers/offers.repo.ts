import { sql, type Insertable, type Selectable, type Updateable } from "kysely";
import type { Db } from "../db/database.ts";
import type { OfferTables, PriceTier } from "./offers.tables.ts";

type OfferRow = Selectable<OfferTables["offers"]>;
export type OfferInsert = Insertable<OfferTables["offers"]>;
export type OfferUpdate = Updateable<OfferTables["offers"]>;

export const isUuid = (value: unknown): value is string =>
  typeof value === "string" &&
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);

export interface Category {
  id: string;
  slug: string;
  nameFr: string;
  nameEn: string;
  position: number;
  archived: boolean;
}

export interface Offer {
  id: string;
  title: string;
  summary: string;
  descriptionHtml: string;
  descriptionText: string;
  category: { id: string; slug: string; nameFr: string; nameEn: string };
  audiences: OfferRow["audiences"];
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  registrationOpensAt: Date | null;
  registrationClosesAt: Date | null;
  cancellationDeadline: Date | null;
  locationKind: OfferRow["location_kind"];
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
  minPriceCents: number;
  organiser: { slvieId: string | null; name: string | null };
  status: OfferRow["status"];
  visibility: OfferRow["visibility"];
  placesTaken: number;
  placesLeft: number;
  cancellationReason: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  publishedAt: Date | null;
  /** Another instance's offer (federation): booked there, shown here with its territory. */
  remote: {
    uri: string;
    url: string | null;
    territory: string;
    host: string;
    /** Our copy of its picture (`/media/<key>`), with its alt text. */
    image: { src: string; alt: string } | null;
  } | null;
}

/** The columns of an offer page, with its category and organiser, in one query. */
export function offerQuery(db: Db) {
  return db
    .selectFrom("offers as o")
    .innerJoin("offer_categories as c", "c.id", "o.category_id")
    .leftJoin("slvies as s", "s.id", "o.organiser_slvie_id")
    .leftJoin("federation_remote_actors as ra", "ra.id", "o.remote_actor_id")
    .selectAll("o")
    .select([
      "ra.name as territory_name",
      "ra.host as territory_host",
      "c.slug as category_slug",
      "c.name_fr as category_name_fr",
      "c.name_en as category_name_en",
      "s.name as organiser_name",
    ]);
}

type JoinedRow = OfferRow & {
  category_slug: string;
  category_name_fr: string;
  category_name_en: string;
  organiser_name: string | null;
  territory_name: string | null;
  territory_host: string | null;
};

export function toOffer(r: JoinedRow): Offer {
  return {
    id: r.id,
    title: r.title,
    summary: r.summary,
    descriptionHtml: r.description_html,
    descriptionText: r.description_text,
    category: {
      id: r.category_id,
      slug: r.category_slug,
      nameFr: r.category_name_fr,
      nameEn: r.category_name_en,
    },
    audiences: r.audiences,
    startsAt: r.starts_at,
    endsAt: r.ends_at,
    timezone: r.timezone,
    registrationOpensAt: r.registration_opens_at,
    registrationClosesAt: r.registration_closes_at,
    cancellationDeadline: r.cancellation_deadline,
    locationKind: r.location_kind,
    address: r.address,
    postalCode: r.postal_code,
    city: r.city,
    latitude: r.latitude,
    longitude: r.longitude,
    onlineUrl: r.online_url,
    capacity: r.capacity,
    maxPersonsPerRegistration: r.max_persons_per_registration,
    minAge: r.min_age,
    maxAge: r.max_age,
    priceTiers: r.price_tiers,
    minPriceCents: r.min_price_cents,
    organiser: { slvieId: r.organiser_slvie_id, name: r.organiser_name },
    status: r.status,
    visibility: r.visibility,
    placesTaken: r.places_taken,
    placesLeft: r.capacity - r.places_taken,
    cancellationReason: r.cancellation_reason,
    createdBy: r.created_by,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    publishedAt: r.published_at,
    remote:
      r.remote_uri !== null
        ? {
            uri: r.remote_uri,
            url: r.remote_url,
            image: r.remote_image ? { src: r.remote_image, alt: r.remote_image_alt ?? "" } : null,
            territory: r.territory_name || r.territory_host || "",
            host: r.territory_host ?? "",
          }
        : null,
  };
}

export async function findOffer(db: Db, id: string): Promise<Offer | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await offerQuery(db).where("o.id", "=", id).executeTakeFirst();
  return row ? toOffer(row as JoinedRow) : undefined;
}

/** Takes the offer's row lock for the rest of the transaction: every change of places goes
 * through it, so concurrent bookings of one offer run one after the other. */
export async function lockOffer(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("offers")
    .select([
      "id",
      "remote_uri",
      "remote_actor_id",
      "visibility",
      "published_at",
      "title",
      "status",
      "starts_at",
      "ends_at",
      "timezone",
      "registration_opens_at",
      "registration_closes_at",
      "cancellation_deadline",
      "capacity",
      "places_taken",
      "max_persons_per_registration",
      "min_age",
      "max_age",
      "category_id",
      "last_minute_announced_at",
    ])
    .where("id", "=", id)
    .forUpdate()
    .executeTakeFirst();
}
export type LockedOffer = NonNullable<Awaited<ReturnType<typeof lockOffer>>>;

export async function setPlacesTaken(db: Db, id: string, placesTaken: number): Promise<void> {
  await db.updateTable("offers").set({ places_taken: placesTaken }).where("id", "=", id).execute();
}

export async function insertOffer(db: Db, values: OfferInsert): Promise<string> {
  const row = await db
    .insertInto("offers")
    .values(values)
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateOffer(db: Db, id: string, values: OfferUpdate): Promise<void> {
  await db
    .updateTable("offers")
    .set({ ...values, updated_at: new Date() })
    .where("id", "=", id)
    .execute();
}

export async function rawOffer(db: Db, id: string) {
  return db.selectFrom("offers").selectAll().where("id", "=", id).executeTakeFirst();
}

// Categories.

const toCategory = (r: Selectable<OfferTables["offer_categories"]>): Category => ({
  id: r.id,
  slug: r.slug,
  nameFr: r.name_fr,
  nameEn: r.name_en,
  position: r.position,
  archived: r.archived_at !== null,
});

// Every catalogue page lists the categories, which change a few times a year: they are kept
// for a few seconds per database, and dropped here as soon as this process changes one.
const CATEGORY_CACHE_MS = 30_000;
const categoryCache = new WeakMap<Db, { at: number; all: Promise<Category[]> }>();

function allCategories(db: Db): Promise<Category[]> {
  const cached = categoryCache.get(db);
  if (cached && Date.now() - cached.at < CATEGORY_CACHE_MS) return cached.all;
  const all = db
    .selectFrom("offer_categories")
    .selectAll()
    .orderBy("position")
    .orderBy("name_fr")
    .execute()
    .then((rows) => rows.map(toCategory));
  all.catch(() => categoryCache.delete(db));
  categoryCache.set(db, { at: Date.now(), all });
  return all;
}

export async function listCategories(db: Db, includeArchived = false): Promise<Category[]> {
  const all = await allCategories(db);
  return includeArchived ? all : all.filter((c) => !c.archived);
}

export async function findCategory(db: Db, idOrSlug: string): Promise<Category | undefined> {
  return (await allCategories(db)).find((c) => c.id === idOrSlug || c.slug === idOrSlug);
}

export async function insertCategory(
  db: Db,
  values: { slug: string; nameFr: string; nameEn: string; position: number },
): Promise<void> {
  await db
    .insertInto("offer_categories")
    .values({
      slug: values.slug,
      name_fr: values.nameFr,
      name_en: values.nameEn,
      position: values.position,
    })
    .execute();
  categoryCache.delete(db);
}

export async function updateCategory(
  db: Db,
  id: string,
  values: { nameFr: string; nameEn: string; position: number; archived: boolean },
): Promise<boolean> {
  const result = await db
    .updateTable("offer_categories")
    .set({
      name_fr: values.nameFr,
      name_en: values.nameEn,
      position: values.position,
      archived_at: values.archived ? sql<Date>`coalesce(archived_at, now())` : null,
    })
    .where("id", "=", id)
    .executeTakeFirst();
  categoryCache.delete(db);
  return Number(result.numUpdatedRows) > 0;
}

// Images.

/** With the page variant's dimensions, so the page reserves their space (no layout shift). */
export async function listImages(db: Db, offerId: string) {
  return db
    .selectFrom("offer_images as i")
    .leftJoin("offer_image_variants as v", (join) =>
      join.onRef("v.image_id", "=", "i.id").on("v.size", "=", "page"),
    )
    .select(["i.id", "i.alt", "i.position", "v.width", "v.height"])
    .where("i.offer_id", "=", offerId)
    .orderBy("i.position")
    .orderBy("i.created_at")
    .execute();
}

export async function deleteImage(db: Db, offerId: string, imageId: string): Promise<boolean> {
  if (!isUuid(imageId)) return false;
  const result = await db
    .deleteFrom("offer_images")
    .where("offer_id", "=", offerId)
    .where("id", "=", imageId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** A duplicated offer gets copies of the images and of their sized variants (ADR 0086). */
export async function copyImages(db: Db, fromOfferId: string, toOfferId: string): Promise<void> {
  const images = await db
    .selectFrom("offer_images")
    .select("id")
    .where("offer_id", "=", fromOfferId)
    .execute();
  for (const image of images) {
    const copy = await sql<{ id: string }>`insert into offer_images
      (offer_id, data, content_type, alt, position, processed)
      select ${toOfferId}::uuid, data, content_type, alt, position, processed from offer_images
      where id = ${image.id} returning id`.execute(db);
    await sql`insert into offer_image_variants
      (image_id, size, content_type, width, height, data)
      select ${copy.rows[0]!.id}::uuid, size, content_type, width, height, data
      from offer_image_variants where image_id = ${image.id}`.execute(db);
  }
}

// Settings and places.

export interface OfferSettings {
  lastMinuteDays: number;
  reminderDays: number;
}

export async function readOfferSettings(db: Db): Promise<OfferSettings> {
  const row = await db
    .selectFrom("offer_settings")
    .select(["last_minute_days", "reminder_days"])
    .where("id", "=", 1)
    .executeTakeFirst();
  return { lastMinuteDays: row?.last_minute_days ?? 3, reminderDays: row?.reminder_days ?? 2 };
}

export async function updateOfferSettings(db: Db, settings: OfferSettings): Promise<void> {
  await db
    .updateTable("offer_settings")
    .set({ last_minute_days: settings.lastMinuteDays, reminder_days: settings.reminderDays })
    .where("id", "=", 1)
    .execute();
}

export interface PostalPlace {
  code: string;
  commune: string;
  latitude: number;
  longitude: number;
  precise: boolean;
}

// Looked up by code or by commune name, however it is typed (server/offers/places.repo.ts).
export { findPostalPlace } from "./places.repo.ts";
