// Rides of other CMCAS (ADR 0146): the plugin's federation half hands what a followed CMCAS
// publishes to these functions, which check every field as the local form does (a ride that does
// not fit is refused whole) and keep it in `remote_rides`. Matching reads them beside ours.
import { DateTime } from "luxon";
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { DEFAULT_TIMEZONE } from "../../server/offers/offers.schemas.ts";
import { RIDE_FIELDS, type Ride } from "./covoiturage.service.ts";
import type { RideKind } from "./covoiturage.tables.ts";
import "./covoiturage.tables.ts";

export interface RemotePlace {
  code: string;
  commune: string;
  lat: number;
  lon: number;
}

export interface RemoteRide {
  uri: string;
  url: string;
  territory: string;
  kind: RideKind;
  days: number;
  date: string | null;
  departMinutes: number;
  windowMinutes: number;
  from: RemotePlace;
  to: RemotePlace;
  seats: number;
  detourKm: number;
  contributionCents: number;
  note: string;
}

const int = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
const place = (p: RemotePlace) =>
  /^[0-9AB]{5}$/.test(p.code) &&
  p.commune.trim().length > 0 &&
  Number.isFinite(p.lat) &&
  Math.abs(p.lat) <= 90 &&
  Number.isFinite(p.lon) &&
  Math.abs(p.lon) <= 180;

/** Why a received ride cannot be kept, or undefined when it can. */
export function remoteRideProblem(r: RemoteRide): string | undefined {
  if (r.kind !== "offer" && r.kind !== "request") return "kind";
  if (!int(r.days, 0, 127)) return "days";
  if ((r.days === 0) !== (r.date !== null)) return "date";
  if (r.date !== null && !(/^\d{4}-\d{2}-\d{2}$/.test(r.date) && DateTime.fromISO(r.date).isValid))
    return "date";
  if (!int(r.departMinutes, 0, 1439)) return "time";
  if (!int(r.windowMinutes, 0, 240)) return "window";
  if (!place(r.from)) return "from";
  if (!place(r.to)) return "to";
  if (!int(r.seats, 1, 8)) return "seats";
  if (!int(r.detourKm, 0, 100)) return "detour";
  if (!int(r.contributionCents, 0, 100_000)) return "contribution";
  // Its page is on its own server, over HTTP(S): the link members follow to contact its author.
  if (!URL.canParse(r.uri) || !URL.canParse(r.url)) return "uri";
  const page = new URL(r.url);
  if (!/^https?:$/.test(page.protocol) || page.origin !== new URL(r.uri).origin) return "uri";
  return undefined;
}

/** Keeps (or refreshes) a ride the CMCAS `publisherId` published; a ride of another publisher
 * under the same id is left alone. False when the ride is refused. */
export async function saveRemoteRide(
  tx: Tx,
  publisherId: number,
  ride: RemoteRide,
): Promise<boolean> {
  if (remoteRideProblem(ride) !== undefined) return false;
  const values = {
    url: ride.url,
    territory: ride.territory.slice(0, 200),
    kind: ride.kind,
    days: ride.days,
    ride_date: ride.date,
    depart_minutes: ride.departMinutes,
    window_minutes: ride.windowMinutes,
    from_code: ride.from.code,
    from_commune: ride.from.commune.trim().slice(0, 100),
    from_lat: ride.from.lat,
    from_lon: ride.from.lon,
    to_code: ride.to.code,
    to_commune: ride.to.commune.trim().slice(0, 100),
    to_lat: ride.to.lat,
    to_lon: ride.to.lon,
    seats: ride.seats,
    detour_km: ride.detourKm,
    contribution_cents: ride.contributionCents,
    note: ride.note.trim().slice(0, 1000),
    updated_at: new Date(),
  };
  const existing = await tx.db
    .selectFrom("remote_rides")
    .select(["id", "remote_actor_id"])
    .where("uri", "=", ride.uri)
    .executeTakeFirst();
  if (existing) {
    if (existing.remote_actor_id !== publisherId) return false;
    await tx.db.updateTable("remote_rides").set(values).where("id", "=", existing.id).execute();
  } else
    await tx.db
      .insertInto("remote_rides")
      .values({ ...values, uri: ride.uri, remote_actor_id: publisherId })
      .execute();
  return true;
}

/** The publisher withdrew its ride `uri`; whether we held it. */
export async function deleteRemoteRide(tx: Tx, publisherId: number, uri: string) {
  const done = await tx.db
    .deleteFrom("remote_rides")
    .where("uri", "=", uri)
    .where("remote_actor_id", "=", publisherId)
    .executeTakeFirst();
  return Number(done.numDeletedRows) > 0;
}

const today = () => DateTime.now().setZone(DEFAULT_TIMEZONE).toISODate()!;

/** Remote rides not past, in the shape of ours (no author here: the territory stands for it). */
export async function listRemoteRides(
  db: Db,
  filter: { kind?: RideKind; limit?: number } = {},
): Promise<Ride[]> {
  let query = db
    .selectFrom("remote_rides as r")
    .select([
      ...RIDE_FIELDS,
      sql<string | null>`null`.as("user_id"),
      sql<string | null>`null`.as("offer_id"),
      sql<boolean>`true`.as("network"),
      sql<"open" | "closed">`'open'`.as("status"),
      sql<string | null>`null`.as("removed_reason"),
      "r.territory as author",
      "r.territory",
      "r.url as remote_url",
    ])
    .where((eb) => eb.or([eb("r.ride_date", "is", null), eb("r.ride_date", ">=", today())]));
  if (filter.kind) query = query.where("r.kind", "=", filter.kind);
  const rows = await query
    .orderBy("r.created_at", "desc")
    .limit(filter.limit ?? 200)
    .execute();
  return rows as Ride[];
}
