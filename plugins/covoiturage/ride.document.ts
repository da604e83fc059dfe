// A network ride as an ActivityStreams `Document` (ADR 0146), both ways. ActivityStreams has no
// ride type; `Document` is one no other route of ours takes (a `Note` would become a timeline
// post, an `Event` an activity of the catalogue and the national calendar where the plugin is
// off), while software that knows none of our terms still shows its `name` and `content`. The
// ride's fields travel under our namespace: kind, weekdays (iCalendar codes) or date, departure
// time and flexibility, seats, detour, contribution, and each end as a commune, its postal code
// and the coordinates of the commune's centre — never an address, nor the member's name or note.
import "../../federation/temporal.ts";
import { Document } from "@fedify/vocab";
import type { ObjectExtras } from "../../federation/extras.ts";
import { MAILLAGE_NS } from "../../federation/offers/event.ts";
import { plainTerms } from "../../federation/offers/terms.ts";
import { actorUri, CMCAS_ACTOR } from "../../federation/uris.ts";
import type { Ride } from "./covoiturage.service.ts";
import type { RemoteRide } from "./remote-rides.service.ts";

type Json = Record<string, unknown>;

export const RIDE_TERMS = [
  "rideKind",
  "rideDays",
  "rideDate",
  "departureTime",
  "flexibilityMinutes",
  "seats",
  "detourKm",
  "contributionCents",
  "fromPostalCode",
  "fromCommune",
  "fromLatitude",
  "fromLongitude",
  "toPostalCode",
  "toCommune",
  "toLatitude",
  "toLongitude",
] as const;

export const RIDE_CONTEXT: Record<string, unknown> = {
  maillage: MAILLAGE_NS,
  ...Object.fromEntries(RIDE_TERMS.map((t) => [t, `maillage:${t}`])),
  rideDays: { "@id": "maillage:rideDays", "@container": "@set" },
};

const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;

export function rideUri(publicUrl: URL, id: string): URL {
  return new URL(`/covoiturage/${id}`, publicUrl);
}

const hhmm = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** The Document (what Fedify knows of it) and its ride fields (the extras). */
export function rideDocument(
  publicUrl: URL,
  ride: Ride,
): { document: Document; extras: ObjectExtras } {
  const id = rideUri(publicUrl, ride.id);
  const followers = new URL(`${actorUri(publicUrl, CMCAS_ACTOR).href}/followers`);
  const what = ride.kind === "offer" ? "Covoiturage proposé" : "Covoiturage recherché";
  const name = `${what} : ${ride.from_commune} (${ride.from_code}) → ${ride.to_commune} (${ride.to_code})`;
  const days = WEEKDAYS.filter((_d, i) => ride.days & (1 << i));
  const when = ride.ride_date ?? days.join(", ");
  const document = new Document({
    id,
    url: id,
    attribution: actorUri(publicUrl, CMCAS_ACTOR),
    name,
    // The member's free note stays home: it may hold what they would not show other territories.
    content: `<p>${escapeHtml(name)}</p><p>${escapeHtml(when)}, ${hhmm(ride.depart_minutes)}</p>`,
    published: Temporal.Instant.fromEpochMilliseconds(ride.created_at.getTime()),
    tos: [followers],
  });
  const fields: Json = {
    rideKind: ride.kind,
    rideDays: days,
    rideDate: ride.ride_date,
    departureTime: hhmm(ride.depart_minutes),
    flexibilityMinutes: ride.window_minutes,
    seats: ride.seats,
    detourKm: ride.detour_km,
    contributionCents: ride.contribution_cents,
    fromPostalCode: ride.from_code,
    fromCommune: ride.from_commune,
    fromLatitude: ride.from_lat,
    fromLongitude: ride.from_lon,
    toPostalCode: ride.to_code,
    toCommune: ride.to_commune,
    toLatitude: ride.to_lat,
    toLongitude: ride.to_lon,
  };
  return { document, extras: { context: RIDE_CONTEXT, fields } };
}

const text = (v: unknown) => (typeof v === "string" ? v : typeof v === "number" ? String(v) : "");
const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" ? Number(v) : NaN);
const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);

/** The ride a received Document describes (as written or re-compacted), or undefined when it is
 * not one of ours; its fields are checked by the service. */
export function readRide(raw: Json, territory: string): RemoteRide | undefined {
  const json = plainTerms(raw);
  if (json.type !== "Document" || typeof json.id !== "string" || json.rideKind === undefined)
    return undefined;
  const time = /^(\d{2}):(\d{2})$/.exec(text(json.departureTime));
  const rawDays = json.rideDays === undefined || json.rideDays === null ? [] : json.rideDays;
  const days = (Array.isArray(rawDays) ? rawDays : [rawDays]).reduce<number>((bits, d) => {
    const i = WEEKDAYS.indexOf(text(d) as (typeof WEEKDAYS)[number]);
    return i < 0 ? NaN : bits | (1 << i);
  }, 0);
  const url = first(json.url);
  return {
    uri: json.id,
    url: typeof url === "string" ? url : text((url as Json | undefined)?.href) || json.id,
    territory,
    kind: text(json.rideKind) as RemoteRide["kind"],
    days,
    date: json.rideDate ? text(json.rideDate) : null,
    departMinutes: time ? Number(time[1]) * 60 + Number(time[2]) : NaN,
    windowMinutes: num(json.flexibilityMinutes),
    from: {
      code: text(json.fromPostalCode),
      commune: text(json.fromCommune),
      lat: num(json.fromLatitude),
      lon: num(json.fromLongitude),
    },
    to: {
      code: text(json.toPostalCode),
      commune: text(json.toCommune),
      lat: num(json.toLatitude),
      lon: num(json.toLongitude),
    },
    seats: num(json.seats),
    detourKm: num(json.detourKm),
    contributionCents: num(json.contributionCents),
    // No member's words travel (see rideDocument): the fields say it all.
    note: "",
  };
}
