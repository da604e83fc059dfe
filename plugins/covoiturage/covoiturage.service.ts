// Rides offered and requested, and their matching. Places are communes from the bundled postal
// data (a postal code or a commune's name), never an address. Two rides match when they are of
// opposite kinds, run on a common day (same date, a common weekday, or the date's weekday among
// the regular days), leave within both flexibility windows, and start and end near each other
// (within the driver's accepted detour, and at least MIN_RADIUS_KM). Best first: the smallest
// sum of the start and end distances plus the time gap (TEN minutes weigh as one km).
import { closeOwnListing, removalSetter } from "../../server/moderation/listing-rows.ts";
import { DateTime } from "luxon";
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import { findPostalPlace, isUuid } from "../../server/offers/offers.repo.ts";
import { DEFAULT_TIMEZONE } from "../../server/offers/offers.schemas.ts";
import type { RidesPort } from "./covoiturage.port.ts";
import type { RideKind } from "./covoiturage.tables.ts";
import { listRemoteRides } from "./remote-rides.service.ts";
import "./covoiturage.tables.ts";

export const MIN_RADIUS_KM = 5;
const MINUTES_PER_KM = 10;

export interface RideInput {
  kind: RideKind;
  /** Bits of the weekdays (Monday = 1 … Sunday = 64); 0 for a one-off ride. */
  days: number;
  date: string | null;
  departMinutes: number;
  windowMinutes: number;
  from: string;
  to: string;
  seats: number;
  detourKm: number;
  contributionCents: number;
  note: string;
  offerId: string | null;
  network: boolean;
}

export type RideError =
  | "kind"
  | "days"
  | "date"
  | "time"
  | "window"
  | "from"
  | "to"
  | "seats"
  | "detour"
  | "contribution"
  | "offer";

const today = () => DateTime.now().setZone(DEFAULT_TIMEZONE).toISODate()!;

/** Records the ride; a network one is told to the CMCAS's followers through `port`. */
export async function createRide(
  tx: Tx,
  userId: string,
  input: RideInput,
  port?: RidesPort,
): Promise<Result<{ id: string }, RideError>> {
  if (input.kind !== "offer" && input.kind !== "request") return fail("kind");
  if (input.days === 0) {
    if (!input.date || !DateTime.fromISO(input.date).isValid || input.date < today())
      return fail("date");
  } else if (!Number.isInteger(input.days) || input.days < 1 || input.days > 127)
    return fail("days");
  if (
    !Number.isInteger(input.departMinutes) ||
    input.departMinutes < 0 ||
    input.departMinutes > 1439
  )
    return fail("time");
  if (
    !Number.isInteger(input.windowMinutes) ||
    input.windowMinutes < 0 ||
    input.windowMinutes > 240
  )
    return fail("window");
  const from = await findPostalPlace(tx.db, input.from);
  if (!from) return fail("from");
  const to = await findPostalPlace(tx.db, input.to);
  if (!to) return fail("to");
  if (!Number.isInteger(input.seats) || input.seats < 1 || input.seats > 8) return fail("seats");
  if (!Number.isInteger(input.detourKm) || input.detourKm < 0 || input.detourKm > 100)
    return fail("detour");
  if (
    !Number.isInteger(input.contributionCents) ||
    input.contributionCents < 0 ||
    input.contributionCents > 100_000
  )
    return fail("contribution");
  if (input.offerId !== null) {
    const offer = isUuid(input.offerId)
      ? await tx.db
          .selectFrom("offers")
          .select("id")
          .where("id", "=", input.offerId)
          .where("status", "=", "published")
          .executeTakeFirst()
      : undefined;
    if (!offer) return fail("offer");
  }
  const row = await tx.db
    .insertInto("rides")
    .values({
      user_id: userId,
      kind: input.kind,
      days: input.days,
      ride_date: input.days === 0 ? input.date : null,
      depart_minutes: input.departMinutes,
      window_minutes: input.windowMinutes,
      from_code: from.code,
      from_commune: from.commune,
      from_lat: from.latitude,
      from_lon: from.longitude,
      to_code: to.code,
      to_commune: to.commune,
      to_lat: to.latitude,
      to_lon: to.longitude,
      seats: input.seats,
      detour_km: input.detourKm,
      contribution_cents: input.contributionCents,
      note: input.note.trim().slice(0, 1000),
      offer_id: input.offerId,
      network: input.network,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  if (input.network) await port?.published(tx, row.id);
  return ok({ id: row.id });
}

/** What a ride says of itself, the same for ours and for those of other CMCAS. */
export const RIDE_FIELDS = [
  "r.id",
  "r.kind",
  "r.days",
  "r.ride_date",
  "r.depart_minutes",
  "r.window_minutes",
  "r.from_code",
  "r.from_commune",
  "r.from_lat",
  "r.from_lon",
  "r.to_code",
  "r.to_commune",
  "r.to_lat",
  "r.to_lon",
  "r.seats",
  "r.detour_km",
  "r.contribution_cents",
  "r.note",
  "r.created_at",
] as const;

const rideColumns = [
  ...RIDE_FIELDS,
  "r.user_id",
  "r.offer_id",
  "r.network",
  "r.status",
  "r.removed_reason",
  "u.display_name as author",
  // Set on the rides of other CMCAS (remote-rides.service.ts): their territory and page there.
  sql<string | null>`null`.as("territory"),
  sql<string | null>`null`.as("remote_url"),
] as const;

/** Open rides nobody removed and not past, newest first. */
export async function listRides(
  db: Db,
  filter: { kind?: RideKind | undefined; offerId?: string | undefined; limit?: number } = {},
) {
  let query = db
    .selectFrom("rides as r")
    .innerJoin("users as u", "u.id", "r.user_id")
    .select(rideColumns)
    .where("r.status", "=", "open")
    .where("r.removed_reason", "is", null)
    .where((eb) => eb.or([eb("r.ride_date", "is", null), eb("r.ride_date", ">=", today())]));
  if (filter.kind) query = query.where("r.kind", "=", filter.kind);
  if (filter.offerId) query = query.where("r.offer_id", "=", filter.offerId);
  return query
    .orderBy("r.created_at", "desc")
    .limit(filter.limit ?? 200)
    .execute();
}
export type Ride = Awaited<ReturnType<typeof listRides>>[number];

export async function findRide(db: Db, id: string): Promise<Ride | undefined> {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("rides as r")
    .leftJoin("users as u", "u.id", "r.user_id")
    .select(rideColumns)
    .where("r.id", "=", id)
    .executeTakeFirst() as Promise<Ride | undefined>;
}

function km(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.lat - a.lat) * rad) / 2) ** 2 +
    Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(((b.lon - a.lon) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

const weekdayBit = (date: string) => 1 << (DateTime.fromISO(date).weekday - 1);

function shareADay(a: Ride, b: Ride): boolean {
  if (a.ride_date && b.ride_date) return a.ride_date === b.ride_date;
  if (a.ride_date) return (b.days & weekdayBit(a.ride_date)) !== 0;
  if (b.ride_date) return (a.days & weekdayBit(b.ride_date)) !== 0;
  return (a.days & b.days) !== 0;
}

export interface Match {
  ride: Ride;
  startKm: number;
  endKm: number;
  gapMinutes: number;
  score: number;
}

/** The rides of the opposite kind that suit this one, best first. */
export function rank(ride: Ride, candidates: readonly Ride[]): Match[] {
  const matches: Match[] = [];
  for (const other of candidates) {
    if (other.id === ride.id || other.kind === ride.kind || other.user_id === ride.user_id)
      continue;
    if (!shareADay(ride, other)) continue;
    const gapMinutes = Math.abs(ride.depart_minutes - other.depart_minutes);
    if (gapMinutes > ride.window_minutes + other.window_minutes) continue;
    const driver = ride.kind === "offer" ? ride : other;
    const radius = Math.max(MIN_RADIUS_KM, driver.detour_km);
    const startKm = km(
      { lat: ride.from_lat, lon: ride.from_lon },
      { lat: other.from_lat, lon: other.from_lon },
    );
    const endKm = km(
      { lat: ride.to_lat, lon: ride.to_lon },
      { lat: other.to_lat, lon: other.to_lon },
    );
    if (startKm > radius || endKm > radius) continue;
    matches.push({
      ride: other,
      startKm,
      endKm,
      gapMinutes,
      score: startKm + endKm + gapMinutes / MINUTES_PER_KM,
    });
  }
  return matches.sort(
    (x, y) => x.score - y.score || x.ride.created_at.getTime() - y.ride.created_at.getTime(),
  );
}

/** Our members' rides and those other CMCAS told us about (marked with their territory). */
export async function matchesFor(db: Db, ride: Ride): Promise<Match[]> {
  const kind = ride.kind === "offer" ? "request" : "offer";
  const [local, remote] = await Promise.all([
    listRides(db, { kind, limit: 2000 }),
    listRemoteRides(db, { kind, limit: 2000 }),
  ]);
  return rank(ride, [...local, ...remote]);
}

/** The author closes their ride; a network one open until now is withdrawn from the others. */
export async function closeRide(
  tx: Tx,
  id: string,
  userId: string,
  port?: RidesPort,
): Promise<Result<void, "not_found">> {
  if (!isUuid(id)) return fail("not_found");
  const before = await tx.db
    .selectFrom("rides")
    .select(["network", "status", "removed_reason"])
    .where("id", "=", id)
    .executeTakeFirst();
  const done = await closeOwnListing(tx.db, "rides", id, userId);
  if (done.ok && before?.network && before.status === "open" && before.removed_reason === null)
    await port?.withdrawn(tx, id);
  return done;
}

const setRemovedRow = removalSetter("rides");

/** A moderator hides a ride (a network one is withdrawn) or shows it again (told again). */
export function removalOf(port?: RidesPort) {
  return async (tx: Tx, id: string, reason: string | null): Promise<void> => {
    await setRemovedRow(tx, id, reason);
    const ride = await tx.db
      .selectFrom("rides")
      .select(["network", "status"])
      .where("id", "=", id)
      .executeTakeFirst();
    if (!ride?.network || ride.status !== "open") return;
    await (reason === null ? port?.published(tx, id) : port?.withdrawn(tx, id));
  };
}

export async function closeForAccount(tx: Tx, userId: string, port?: RidesPort): Promise<void> {
  const closed = await tx.db
    .updateTable("rides")
    .set({ status: "closed" })
    .where("user_id", "=", userId)
    .where("status", "=", "open")
    .returning(["id", "network", "removed_reason"])
    .execute();
  for (const ride of closed)
    if (ride.network && ride.removed_reason === null) await port?.withdrawn(tx, ride.id);
}
