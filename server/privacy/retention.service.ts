// Retention of registrations: once an offer ended more than the admin's period ago, its
// registrations keep what the statistics need (persons, status, attendance) and lose who came:
// the member's link, a remote participant's name and address, the names and birth years of the
// people listed. A purged registration is marked by its placeholder registrant, unique per row
// (the table requires a registrant and one registration per registrant and offer).
import { sql } from "kysely";
import type { Db } from "../db/database.ts";

export const PURGED_PREFIX = "urn:maillage:purged:";

export async function retentionDays(db: Db): Promise<number> {
  const row = await db
    .selectFrom("privacy_settings")
    .select("registration_retention_days")
    .executeTakeFirst();
  return row?.registration_retention_days ?? 365;
}

export async function setRetentionDays(db: Db, days: number): Promise<void> {
  await db
    .updateTable("privacy_settings")
    .set({ registration_retention_days: days, updated_at: new Date() })
    .where("id", "=", 1)
    .execute();
}

/** Purges the registrations past the period; returns how many. */
export async function purgeRegistrations(db: Db, now = new Date()): Promise<number> {
  const days = await retentionDays(db);
  const cutoff = new Date(now.getTime() - days * 24 * 3600_000);
  const due = await db
    .selectFrom("offer_registrations as r")
    .innerJoin("offers as o", "o.id", "r.offer_id")
    .select("r.id")
    .where("o.ends_at", "<", cutoff)
    .where((eb) =>
      eb.or([eb("r.actor_url", "is", null), eb("r.actor_url", "not like", `${PURGED_PREFIX}%`)]),
    )
    .limit(5000)
    .execute();
  if (due.length === 0) return 0;
  const ids = due.map((r) => r.id);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable("offer_registrations")
      .set({
        user_id: null,
        actor_url: sql<string>`${PURGED_PREFIX} || id::text`,
        actor_name: "",
        actor_instance: "",
      })
      .where("id", "in", ids)
      .execute();
    await trx
      .updateTable("offer_registration_persons")
      .set({ first_name: "", birth_year: null, family_member_id: null })
      .where("registration_id", "in", ids)
      .execute();
  });
  return ids.length;
}
