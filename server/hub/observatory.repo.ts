// The observatory's figures (ADR 0123): per territory, category and month of start, the offers
// published, the places offered and filled, the cancellations. On the hub they are computed from
// what it aggregates (the members' Events: public figures only, nothing else leaves them); on any
// instance, its admin sees the same for its own offers. A cell counting persons below 5 is never
// published: it is suppressed (null) in pages, CSV and JSON alike.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";

export const SMALL_CELL = 5;

export interface ObservatoryRow {
  territory: string;
  territoryName: string;
  category: string;
  month: string;
  offers: number;
  cancelled: number;
  placesOffered: number;
  /** Null when fewer than 5 persons: suppressed. */
  placesFilled: number | null;
}

/** `scope`: "own" (this instance's offers) or "network" (also those aggregated from members). */
export async function observatoryRows(
  db: Db,
  scope: "own" | "network",
  own: { host: string; name: string },
  year?: number,
): Promise<ObservatoryRow[]> {
  const from = year ? new Date(Date.UTC(year, 0, 1)) : new Date(Date.UTC(2000, 0, 1));
  const to = year ? new Date(Date.UTC(year + 1, 0, 1)) : new Date(Date.UTC(3000, 0, 1));
  const rows = await sql<{
    host: string | null;
    name: string | null;
    category: string;
    month: string;
    offers: string;
    cancelled: string;
    places_offered: string;
    places_filled: string;
  }>`
    select ra.host, ra.name, c.slug as category,
      to_char(o.starts_at at time zone 'Europe/Paris', 'YYYY-MM') as month,
      count(*) as offers,
      count(*) filter (where o.status = 'cancelled') as cancelled,
      sum(case when o.capacity >= 100000 then 0 else o.capacity end) as places_offered,
      sum(o.places_taken) as places_filled
    from offers o
    join offer_categories c on c.id = o.category_id
    left join federation_remote_actors ra on ra.id = o.remote_actor_id
    where o.status in ('published', 'cancelled', 'completed')
      and o.starts_at >= ${from} and o.starts_at < ${to}
      and ${scope === "own" ? sql`o.remote_actor_id is null` : sql`(o.remote_actor_id is null or o.remote_actor_id in (select remote_actor_id from federation_follows where direction = 'outgoing' and state = 'accepted'))`}
    group by 1, 2, 3, 4
    order by 4, 1 nulls first, 3`.execute(db);
  return rows.rows.map((r) => {
    const filled = Number(r.places_filled);
    return {
      territory: r.host ?? own.host,
      territoryName: r.name ?? own.name,
      category: r.category,
      month: r.month,
      offers: Number(r.offers),
      cancelled: Number(r.cancelled),
      placesOffered: Number(r.places_offered),
      placesFilled: filled > 0 && filled < SMALL_CELL ? null : filled,
    };
  });
}

export interface MonthTotal {
  month: string;
  offers: number;
  placesOffered: number;
  /** Null when one of its cells was suppressed and the rest is below 5: never re-identifiable. */
  placesFilled: number | null;
}

/** Totals per month, summing only published cells (a suppressed cell is not added back). */
export function monthTotals(rows: readonly ObservatoryRow[]): MonthTotal[] {
  const byMonth = new Map<string, MonthTotal>();
  for (const r of rows) {
    const t = byMonth.get(r.month) ?? {
      month: r.month,
      offers: 0,
      placesOffered: 0,
      placesFilled: 0,
    };
    t.offers += r.offers;
    t.placesOffered += r.placesOffered;
    t.placesFilled = (t.placesFilled ?? 0) + (r.placesFilled ?? 0);
    byMonth.set(r.month, t);
  }
  return [...byMonth.values()].map((t) => ({
    ...t,
    placesFilled:
      t.placesFilled !== null && t.placesFilled > 0 && t.placesFilled < SMALL_CELL
        ? null
        : t.placesFilled,
  }));
}

export const CSV_COLUMNS = [
  "territory",
  "territory_name",
  "category",
  "month",
  "offers",
  "cancelled",
  "places_offered",
  "places_filled",
] as const;

/** The documented schema of the CSV and JSON downloads (Table Schema, Frictionless Data). */
export const TABLE_SCHEMA = {
  fields: [
    { name: "territory", type: "string", description: "Host of the CMCAS instance" },
    { name: "territory_name", type: "string", description: "Name of the CMCAS" },
    { name: "category", type: "string", description: "Category of the activities (slug)" },
    { name: "month", type: "yearmonth", description: "Month the activities start (Europe/Paris)" },
    { name: "offers", type: "integer", description: "Activities published (cancelled included)" },
    { name: "cancelled", type: "integer", description: "Activities cancelled" },
    {
      name: "places_offered",
      type: "integer",
      description: "Places offered (unlimited ones not counted)",
    },
    {
      name: "places_filled",
      type: "integer",
      description: `Places booked; empty when fewer than ${SMALL_CELL} persons (suppressed)`,
    },
  ],
  missingValues: [""],
};
