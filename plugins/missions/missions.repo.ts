// Reading missions: the list and calendar with their filters (cause, dates, duration, distance
// from a postal code), a mission with its slots and the member's sign-ups.
import type { Db } from "../../server/db/database.ts";
import { isUuid } from "../../server/offers/offers.repo.ts";
import "./missions.tables.ts";

export interface MissionFilters {
  cause?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
  maxMinutes?: number | undefined;
  near?: { latitude: number; longitude: number; km: number } | undefined;
}

/** Great-circle distance in km (enough for "within 30 km"). */
export function distanceKm(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h =
    Math.sin(dLat / 2) ** 2 +
    Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** Upcoming slots of open missions matching the filters, soonest first. */
export async function listSlots(db: Db, filters: MissionFilters, now = new Date()) {
  let query = db
    .selectFrom("mission_slots as s")
    .innerJoin("missions as m", "m.id", "s.mission_id")
    .innerJoin("offers as o", "o.id", "s.offer_id")
    .select([
      "m.id as missionId",
      "m.title",
      "m.cause",
      "m.organiser",
      "m.remote",
      "m.city",
      "m.latitude",
      "m.longitude",
      "s.offer_id as slotId",
      "s.duration_minutes",
      "o.starts_at",
      "o.capacity",
      "o.places_taken",
    ])
    .where("m.status", "=", "open")
    .where("m.removed_reason", "is", null)
    .where("o.status", "=", "published")
    .where("o.starts_at", ">", filters.from && filters.from > now ? filters.from : now);
  if (filters.to) query = query.where("o.starts_at", "<", filters.to);
  if (filters.cause) query = query.where("m.cause", "=", filters.cause);
  if (filters.maxMinutes) query = query.where("s.duration_minutes", "<=", filters.maxMinutes);
  const rows = await query.orderBy("o.starts_at").limit(500).execute();
  const near = filters.near;
  return rows
    .map((r) => ({
      ...r,
      placesLeft: Math.max(0, r.capacity - r.places_taken),
      distance:
        near && r.latitude !== null && r.longitude !== null
          ? Math.round(distanceKm(near, { latitude: r.latitude, longitude: r.longitude }))
          : null,
    }))
    .filter((r) => !near || r.remote || (r.distance !== null && r.distance <= near.km));
}
export type SlotRow = Awaited<ReturnType<typeof listSlots>>[number];

export async function findMission(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  return db.selectFrom("missions").selectAll().where("id", "=", id).executeTakeFirst();
}
export type Mission = NonNullable<Awaited<ReturnType<typeof findMission>>>;

/** A mission's slots with their places and, for a member, their registration's status. */
export async function missionSlots(db: Db, missionId: string, userId?: string) {
  const rows = await db
    .selectFrom("mission_slots as s")
    .innerJoin("offers as o", "o.id", "s.offer_id")
    .select([
      "s.offer_id as slotId",
      "s.duration_minutes",
      "o.starts_at",
      "o.capacity",
      "o.places_taken",
      "o.status",
    ])
    .where("s.mission_id", "=", missionId)
    .orderBy("o.starts_at")
    .execute();
  const mine = userId
    ? await db
        .selectFrom("offer_registrations")
        .select(["offer_id", "status"])
        .where("user_id", "=", userId)
        .where("status", "in", ["confirmed", "waitlisted"])
        .where(
          "offer_id",
          "in",
          rows.length ? rows.map((r) => r.slotId) : ["00000000-0000-0000-0000-000000000000"],
        )
        .execute()
    : [];
  return rows.map((r) => ({
    ...r,
    placesLeft: Math.max(0, r.capacity - r.places_taken),
    mine: mine.find((m) => m.offer_id === r.slotId)?.status ?? null,
  }));
}
