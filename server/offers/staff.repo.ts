import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { OfferStatus } from "./offers.tables.ts";

export const STAFF_PAGE = 50;

/** Every offer of the instance for staff, newest dates first, with its waiting-list length. */
export async function staffList(
  db: Db,
  filter: { status?: OfferStatus | undefined; q?: string | undefined; page: number },
) {
  // Other territories' offers are managed by their own staff.
  let query = db.selectFrom("offers as o").where("o.remote_uri", "is", null);
  if (filter.status) query = query.where("o.status", "=", filter.status);
  if (filter.q)
    query = query.where(sql<boolean>`o.search @@ websearch_to_tsquery('maillage_fr', ${filter.q})`);
  const [count, rows] = await Promise.all([
    query.select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow(),
    query
      .innerJoin("offer_categories as c", "c.id", "o.category_id")
      .select([
        "o.id",
        "o.title",
        "o.status",
        "o.visibility",
        "o.starts_at",
        "o.timezone",
        "o.capacity",
        "o.places_taken",
        "c.name_fr",
        "c.name_en",
        sql<number>`(select count(*) from offer_registrations r
          where r.offer_id = o.id and r.status = 'waitlisted')`.as("waiting"),
      ])
      .orderBy("o.starts_at", "desc")
      .limit(STAFF_PAGE)
      .offset((filter.page - 1) * STAFF_PAGE)
      .execute(),
  ]);
  return {
    total: Number(count.n),
    items: rows.map((r) => ({ ...r, waiting: Number(r.waiting) })),
  };
}

export async function findMemberByEmail(db: Db, email: string) {
  return db
    .selectFrom("users")
    .select(["id", "display_name"])
    .where(sql<string>`lower(email)`, "=", email.trim().toLowerCase())
    .executeTakeFirst();
}
