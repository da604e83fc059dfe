// The catalogue query: published offers a viewer may see, filtered, sorted by date, one page at
// a time. Every filter is a condition on the offers table itself (its indexes: start date,
// category, full-text GIN, earth-distance GiST), so a page costs one query whatever it shows:
// its rows with, beside each, the number of matches.
import { sql, type RawBuilder } from "kysely";
import type { Db } from "../db/database.ts";
import { clearOnContentChange } from "../lib/changes.ts";
import type { Audience, LocationKind, OfferStatus, PriceTier } from "./offers.tables.ts";

export interface CatalogueFilters {
  q?: string | undefined;
  /** Offers starting on or after this instant (default: still running now). */
  from?: Date | undefined;
  /** Offers starting before this instant. */
  to?: Date | undefined;
  categoryId?: string | undefined;
  audience?: Audience | undefined;
  maxPriceCents?: number | undefined;
  available?: boolean | undefined;
  near?: { latitude: number; longitude: number; radiusKm: number } | undefined;
  /** Only offers starting within this many days with places left and open registrations. */
  lastMinuteDays?: number | undefined;
  /** Our own offers, those of the territories we follow, or both (default). */
  origin?: "local" | "remote" | "all" | undefined;
  /** Offers of one followed territory, by its instance's host. */
  territory?: string | undefined;
  /** Offers whose postal code starts with one of these (a region's departments: the hub). */
  postalPrefixes?: readonly string[] | undefined;
  /** Other territories' offers only from publishers we follow now (the hub: its members). */
  followedOnly?: boolean | undefined;
}

/** Anonymous visitors see public offers; members of this instance see every visibility. */
export interface Viewer {
  member: boolean;
}

export interface OfferCard {
  id: string;
  title: string;
  summary: string;
  categorySlug: string;
  categoryNameFr: string;
  categoryNameEn: string;
  audiences: Audience[];
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  locationKind: LocationKind;
  city: string;
  postalCode: string | null;
  capacity: number;
  placesLeft: number;
  priceTiers: PriceTier[];
  minPriceCents: number;
  registrationClosesAt: Date | null;
  distanceKm: number | null;
  /** For the map (null when the offer has no coordinates). */
  latitude: number | null;
  longitude: number | null;
  status: OfferStatus;
  /** The first picture, shown on the card (its "card" size). */
  imageId: string | null;
  /** Another instance's offer: our copy of its picture (`/media/<key>`). */
  remoteImage: string | null;
  /** Another territory's offer (federation). */
  remote: { name: string; host: string; uri: string; url: string | null } | null;
}

function conditions(filters: CatalogueFilters, viewer: Viewer, now: Date): RawBuilder<boolean>[] {
  const where: RawBuilder<boolean>[] = [sql<boolean>`o.status = 'published'`];
  if (!viewer.member) where.push(sql<boolean>`o.visibility = 'public'`);
  if (filters.from) where.push(sql<boolean>`o.starts_at >= ${filters.from}`);
  else where.push(sql<boolean>`o.ends_at >= ${now}`);
  if (filters.to) where.push(sql<boolean>`o.starts_at < ${filters.to}`);
  if (filters.origin === "local") where.push(sql<boolean>`o.remote_uri is null`);
  if (filters.origin === "remote") where.push(sql<boolean>`o.remote_uri is not null`);
  if (filters.territory)
    where.push(
      sql<boolean>`o.remote_actor_id in (select id from federation_remote_actors where host = ${filters.territory.toLowerCase()})`,
    );
  if (filters.postalPrefixes?.length) {
    // Written as the indexes are (migration 0150), with no branch that matches nothing.
    const two = filters.postalPrefixes.filter((p) => p.length === 2);
    const three = filters.postalPrefixes.filter((p) => p.length === 3);
    const branches = [
      ...(two.length ? [sql<boolean>`substr(o.postal_code, 1, 2) in (${sql.join(two)})`] : []),
      ...(three.length ? [sql<boolean>`substr(o.postal_code, 1, 3) in (${sql.join(three)})`] : []),
    ];
    where.push(
      branches.length ? sql<boolean>`(${sql.join(branches, sql` or `)})` : sql<boolean>`false`,
    );
  }
  if (filters.followedOnly)
    where.push(
      sql<boolean>`(o.remote_actor_id is null or o.remote_actor_id in (select remote_actor_id from federation_follows where direction = 'outgoing' and state = 'accepted'))`,
    );
  if (filters.q)
    where.push(sql<boolean>`o.search @@ websearch_to_tsquery('maillage_fr', ${filters.q})`);
  if (filters.categoryId) where.push(sql<boolean>`o.category_id = ${filters.categoryId}`);
  if (filters.audience)
    where.push(
      sql<boolean>`(o.audiences @> array[${filters.audience}]::text[] or o.audiences @> array['tous']::text[])`,
    );
  if (filters.maxPriceCents !== undefined)
    where.push(sql<boolean>`o.min_price_cents <= ${filters.maxPriceCents}`);
  if (filters.available) where.push(sql<boolean>`o.places_taken < o.capacity`);
  if (filters.lastMinuteDays !== undefined) {
    const until = new Date(now.getTime() + filters.lastMinuteDays * 86_400_000);
    where.push(
      sql<boolean>`o.starts_at > ${now} and o.starts_at <= ${until} and o.places_taken < o.capacity
        and (o.registration_closes_at is null or o.registration_closes_at > ${now})`,
    );
  }
  if (filters.near) {
    const { latitude, longitude, radiusKm } = filters.near;
    const centre = sql`ll_to_earth(${latitude}::float8, ${longitude}::float8)`;
    const metres = radiusKm * 1000;
    // earth_box uses the GiST index; earth_distance trims the box's corners.
    where.push(
      sql<boolean>`o.latitude is not null and o.longitude is not null
        and earth_box(${centre}, ${metres}::float8) @> ll_to_earth(o.latitude, o.longitude)
        and earth_distance(${centre}, ll_to_earth(o.latitude, o.longitude)) <= ${metres}::float8`,
    );
  }
  return where;
}

export const COUNT_CAP = 1000;

export interface CataloguePage {
  /** Matches, counted up to COUNT_CAP (or, counted by the page, up to its last row). */
  total: number;
  totalCapped: boolean;
  hasMore: boolean;
  items: OfferCard[];
}

const and = (where: RawBuilder<boolean>[]) => sql<boolean>`${sql.join(where, sql` and `)}`;

export interface PageRequest {
  limit: number;
  offset: number;
  /**
   * "cap" (default): the matches are counted up to COUNT_CAP. "page": only as far as this page
   * (its rows and whether one follows), with no count of its own: for searches whose count
   * would cost more than the page (words: see ADR 0147).
   */
  count?: "cap" | "page";
}

export async function searchOffers(
  db: Db,
  filters: CatalogueFilters,
  viewer: Viewer,
  page: PageRequest,
  now = new Date(),
): Promise<CataloguePage> {
  const where = and(conditions(filters, viewer, now));
  const distance = filters.near
    ? sql<
        number | null
      >`earth_distance(ll_to_earth(${filters.near.latitude}::float8, ${filters.near.longitude}::float8), ll_to_earth(o.latitude, o.longitude)) / 1000`
    : sql<number | null>`null::float8`;
  // One round trip: the page, and beside each row the number of matches, counted up to
  // COUNT_CAP (beyond, people narrow their search rather than read on).
  const counted = sql<number>`(select count(*) from (select 1 from offers o where ${where} limit ${COUNT_CAP + 1}) m)`;
  const byPage = page.count === "page";
  const rows = await db
    .selectFrom("offers as o")
    .innerJoin("offer_categories as c", "c.id", "o.category_id")
    .leftJoin("federation_remote_actors as ra", "ra.id", "o.remote_actor_id")
    .select([
      "o.id",
      "o.status",
      "o.remote_uri",
      "o.remote_url",
      "o.remote_image",
      "ra.name as territory_name",
      "ra.host as territory_host",
      "o.title",
      "o.summary",
      "c.slug",
      "c.name_fr",
      "c.name_en",
      "o.audiences",
      "o.starts_at",
      "o.ends_at",
      "o.timezone",
      "o.location_kind",
      "o.city",
      "o.postal_code",
      "o.capacity",
      "o.places_taken",
      "o.price_tiers",
      "o.min_price_cents",
      "o.registration_closes_at",
      "o.latitude",
      "o.longitude",
      distance.as("distance_km"),
      sql<string | null>`(select i.id from offer_images i where i.offer_id = o.id
        order by i.position, i.created_at limit 1)`.as("image_id"),
      (byPage ? sql<number>`null::bigint` : counted).as("total"),
    ])
    .where(where)
    .orderBy("o.starts_at")
    .orderBy("o.id")
    .limit(page.limit + 1)
    .offset(page.offset)
    .execute();
  const hasMore = rows.length > page.limit;
  // Counted by the page: the rows up to here, and "more" when one follows. Past the last page
  // (a typed address) there is no row to count from, nor to carry the capped count: counted.
  const pageTotal =
    byPage && (rows.length > 0 || page.offset === 0)
      ? page.offset + Math.min(rows.length, page.limit)
      : undefined;
  const count =
    pageTotal ??
    rows[0]?.total ??
    (page.offset === 0
      ? 0
      : (await db.selectNoFrom(counted.as("total")).executeTakeFirstOrThrow()).total);
  const total = Number(count);
  return {
    total: pageTotal ?? Math.min(total, COUNT_CAP),
    totalCapped: pageTotal !== undefined ? hasMore : total > COUNT_CAP,
    hasMore,
    items: rows.slice(0, page.limit).map((r) => ({
      id: r.id,
      title: r.title,
      summary: r.summary,
      categorySlug: r.slug,
      categoryNameFr: r.name_fr,
      categoryNameEn: r.name_en,
      audiences: r.audiences,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      timezone: r.timezone,
      locationKind: r.location_kind,
      city: r.city,
      postalCode: r.postal_code,
      capacity: r.capacity,
      placesLeft: r.capacity - r.places_taken,
      priceTiers: r.price_tiers,
      minPriceCents: r.min_price_cents,
      registrationClosesAt: r.registration_closes_at,
      distanceKm: r.distance_km === null ? null : Number(r.distance_km),
      latitude: r.latitude === null ? null : Number(r.latitude),
      longitude: r.longitude === null ? null : Number(r.longitude),
      status: r.status,
      imageId: r.image_id,
      remoteImage: r.remote_image,
      remote:
        r.remote_uri !== null
          ? {
              name: r.territory_name || r.territory_host || "",
              host: r.territory_host ?? "",
              uri: r.remote_uri,
              url: r.remote_url,
            }
          : null,
    })),
  };
}

// The territories change when a followed publisher's first offer arrives or its last one goes:
// rarely, and always through a service that says published content changed (or a write request).
// Kept 30 seconds per database at most, so that a catalogue page reads the offers table once.
const TERRITORIES_MS = 30_000;
let territoryCache = new WeakMap<Db, { at: number; list: Promise<Territory[]> }>();
const territoryCacheHolder = {
  clear() {
    territoryCache = new WeakMap();
  },
};
clearOnContentChange(territoryCacheHolder);

interface Territory {
  host: string;
  name: string;
}

/** The territories (publishers of offers we keep) whose offers are in our catalogue. */
export function territories(db: Db): Promise<Territory[]> {
  const cached = territoryCache.get(db);
  if (cached && Date.now() - cached.at < TERRITORIES_MS) return cached.list;
  const list = db
    .selectFrom("federation_remote_actors as a")
    .select(["a.host", "a.name"])
    .where((eb) =>
      eb.exists(
        eb.selectFrom("offers as o").select("o.id").whereRef("o.remote_actor_id", "=", "a.id"),
      ),
    )
    .orderBy("a.name")
    .execute();
  const cache = territoryCache;
  list.catch(() => cache.delete(db));
  cache.set(db, { at: Date.now(), list });
  return list;
}
