// Monthly aggregates an instance shares with the hub when its admin agreed (ADR 0125): persons on
// waiting lists and persons booked from other territories (per category of the offer), forum
// posts and tutorials published (per month). A cell below 5 is left out before anything leaves
// the instance; the hub refuses one anyway, and keeps what each member last sent.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { SMALL_CELL } from "./observatory.repo.ts";
import "./shared.tables.ts";

export const MEASURES = ["waitlisted", "crossBookings", "forumPosts", "tutorials"] as const;
export type Measure = (typeof MEASURES)[number];

export interface SharedCell {
  month: string;
  category: string;
  measure: Measure;
  value: number;
}

/** This instance's own aggregates, small cells left out. */
export async function ownSharedAggregates(db: Db): Promise<SharedCell[]> {
  const { rows } = await sql<{ month: string; category: string; measure: Measure; value: string }>`
    select to_char(o.starts_at at time zone 'Europe/Paris', 'YYYY-MM') as month, c.slug as category,
      'waitlisted' as measure, sum(r.persons) as value
    from offer_registrations r join offers o on o.id = r.offer_id
    join offer_categories c on c.id = o.category_id
    where r.status = 'waitlisted' and o.remote_actor_id is null group by 1, 2
    union all
    select to_char(o.starts_at at time zone 'Europe/Paris', 'YYYY-MM'), c.slug,
      'crossBookings', sum(r.persons)
    from offer_registrations r join offers o on o.id = r.offer_id
    join offer_categories c on c.id = o.category_id
    where r.status = 'confirmed' and r.actor_url is not null and o.remote_actor_id is null
    group by 1, 2
    union all
    select to_char(p.created_at at time zone 'Europe/Paris', 'YYYY-MM'), 'forum', 'forumPosts',
      count(*)
    from forum_posts p where p.ap_id is null or p.author_id is not null group by 1
    union all
    select to_char(t.created_at at time zone 'Europe/Paris', 'YYYY-MM'), tc.slug, 'tutorials',
      count(*)
    from tutorials t join tutorial_categories tc on tc.id = t.category_id
    where t.status = 'published' group by 1, 2
    order by 1, 2, 3`.execute(db);
  return rows.map((r) => ({ ...r, value: Number(r.value) })).filter((r) => r.value >= SMALL_CELL);
}

/** Reads a member's document: well-formed cells only, and none below 5 (refused whole). */
export function parseShared(document: unknown): SharedCell[] | undefined {
  const cells = (document as { cells?: unknown })?.cells;
  if (!Array.isArray(cells) || cells.length > 20_000) return undefined;
  const out: SharedCell[] = [];
  for (const c of cells as Record<string, unknown>[]) {
    if (
      typeof c?.month !== "string" ||
      !/^\d{4}-\d{2}$/.test(c.month) ||
      typeof c.category !== "string" ||
      c.category.length > 100 ||
      !MEASURES.includes(c.measure as Measure) ||
      !Number.isInteger(c.value) ||
      (c.value as number) < SMALL_CELL
    )
      return undefined;
    out.push({
      month: c.month,
      category: c.category,
      measure: c.measure as Measure,
      value: c.value as number,
    });
  }
  return out;
}

/** On the hub: replaces what `host` shared before (call it in a transaction). */
export async function saveShared(
  tx: Db,
  host: string,
  cells: readonly SharedCell[],
): Promise<void> {
  await tx.deleteFrom("hub_shared_aggregates").where("host", "=", host).execute();
  if (cells.length)
    await tx
      .insertInto("hub_shared_aggregates")
      .values(cells.map((c) => ({ host, ...c })))
      .execute();
}

/** The columns of the shared figures, as a Table Schema (as the observatory's own downloads). */
export const SHARED_SCHEMA = {
  fields: [
    { name: "host", type: "string", description: "the member instance's address (its territory)" },
    { name: "month", type: "yearmonth", description: "YYYY-MM" },
    { name: "category", type: "string", description: "category slug" },
    {
      name: "measure",
      type: "string",
      constraints: { enum: [...MEASURES] },
      description:
        "waitlisted: persons on a waiting list; crossBookings: persons booked from another instance; forumPosts: forum posts; tutorials: tutorials published",
    },
    { name: "value", type: "integer", constraints: { minimum: 5 } },
  ],
} as const;

export async function sharedRows(db: Db) {
  return db
    .selectFrom("hub_shared_aggregates")
    .select(["host", "month", "category", "measure", "value"])
    .orderBy("month")
    .orderBy("host")
    .orderBy("category")
    .orderBy("measure")
    .execute();
}
