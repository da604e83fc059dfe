// Input of offers from HTML forms (strings, local times) and from the JSON API (ISO instants),
// validated by JSON Schema and turned into the service's OfferInput.
import { DateTime } from "luxon";
import {
  AUDIENCES,
  VISIBILITIES,
  type Audience,
  type PriceTier,
  type Visibility,
} from "./offers.tables.ts";
import type { OfferInput } from "./offers.service.ts";

export const DEFAULT_TIMEZONE = "Europe/Paris";
/** Timezones of France, mainland and overseas, offered in the form. */
export const FRENCH_TIMEZONES = [
  "Europe/Paris",
  "America/Guadeloupe",
  "America/Martinique",
  "America/Cayenne",
  "Indian/Reunion",
  "Indian/Mayotte",
  "America/Miquelon",
  "Pacific/Noumea",
  "Pacific/Tahiti",
  "Pacific/Wallis",
];
export const TIERS = 5;

const LOCAL_DATETIME = "^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2})?$";
const EUROS = "^\\d{1,5}([.,]\\d{1,2})?$";
const text = (max: number, min = 0) => ({ type: "string", minLength: min, maxLength: max });
const localTime = { type: "string", pattern: LOCAL_DATETIME };

const tierFields = Object.fromEntries(
  Array.from({ length: TIERS }, (_, i) => [
    [`tier${i + 1}UpTo`, { type: "integer", minimum: 0, maximum: 1_000_000 }],
    [`tier${i + 1}Price`, { type: "string", pattern: EUROS }],
  ]).flat(),
);

export const offerFormSchema = {
  type: "object",
  required: ["title", "categoryId", "startsAt", "endsAt", "timezone", "locationKind", "capacity"],
  properties: {
    title: text(150, 3),
    summary: text(300),
    description: text(20_000),
    categoryId: { type: "string", format: "uuid" },
    // One ticked box arrives as a string, several as an array.
    audiences: {
      anyOf: [
        { type: "string", enum: [...AUDIENCES] },
        { type: "array", items: { type: "string", enum: [...AUDIENCES] }, maxItems: 4 },
      ],
    },
    startsAt: localTime,
    endsAt: localTime,
    timezone: { type: "string", enum: FRENCH_TIMEZONES },
    registrationOpensAt: localTime,
    registrationClosesAt: localTime,
    cancellationDeadline: localTime,
    locationKind: { type: "string", enum: ["place", "online"] },
    address: text(200),
    postalCode: { type: "string", pattern: "^\\d[0-9AB]\\d{3}$" },
    city: text(100),
    latitude: { type: "number", minimum: -90, maximum: 90 },
    longitude: { type: "number", minimum: -180, maximum: 180 },
    onlineUrl: { type: "string", format: "uri", pattern: "^https?://", maxLength: 500 },
    capacity: { type: "integer", minimum: 1, maximum: 100_000 },
    maxPersonsPerRegistration: { type: "integer", minimum: 1, maximum: 50 },
    minAge: { type: "integer", minimum: 0, maximum: 120 },
    maxAge: { type: "integer", minimum: 0, maximum: 120 },
    pricing: { type: "string", enum: ["free", "tiers"] },
    ...tierFields,
    organiserSlvieId: { type: "string", format: "uuid" },
    visibility: { type: "string", enum: [...VISIBILITIES] },
  },
} as const;

export type OfferForm = {
  title: string;
  summary?: string;
  description?: string;
  categoryId: string;
  audiences?: Audience[] | Audience;
  startsAt: string;
  endsAt: string;
  timezone: string;
  registrationOpensAt?: string;
  registrationClosesAt?: string;
  cancellationDeadline?: string;
  locationKind: "place" | "online";
  address?: string;
  postalCode?: string;
  city?: string;
  latitude?: number;
  longitude?: number;
  onlineUrl?: string;
  capacity: number;
  maxPersonsPerRegistration?: number;
  minAge?: number;
  maxAge?: number;
  pricing?: "free" | "tiers";
  organiserSlvieId?: string;
  visibility?: Visibility;
} & Record<string, unknown>;

/** "2026-07-10T09:30" in the offer's timezone → the instant. */
export function fromLocal(value: string | undefined, zone: string): Date | null {
  if (!value) return null;
  const parsed = DateTime.fromISO(value, { zone });
  return parsed.isValid ? parsed.toJSDate() : null;
}

/** The instant → "2026-07-10T09:30" in the offer's timezone, for datetime-local inputs. */
export function toLocal(value: Date | null | undefined, zone: string): string {
  if (!value) return "";
  return DateTime.fromJSDate(value, { zone }).toFormat("yyyy-LL-dd'T'HH:mm");
}

const cents = (euros: string) => Math.round(Number(euros.replace(",", ".")) * 100);

export function formTiers(form: Record<string, unknown>): PriceTier[] {
  if (form.pricing !== "tiers") return [];
  const tiers: PriceTier[] = [];
  for (let i = 1; i <= TIERS; i++) {
    const price = form[`tier${i}Price`];
    if (typeof price !== "string") continue;
    const upTo = form[`tier${i}UpTo`];
    tiers.push({ upTo: typeof upTo === "number" ? upTo : null, price: cents(price) });
  }
  return tiers;
}

export function formToInput(form: OfferForm): OfferInput {
  const zone = form.timezone;
  const audiences =
    form.audiences === undefined
      ? (["tous"] as Audience[])
      : Array.isArray(form.audiences)
        ? form.audiences
        : [form.audiences];
  return {
    title: form.title,
    summary: form.summary ?? "",
    description: form.description ?? "",
    categoryId: form.categoryId,
    audiences,
    startsAt: fromLocal(form.startsAt, zone)!,
    endsAt: fromLocal(form.endsAt, zone)!,
    timezone: zone,
    registrationOpensAt: fromLocal(form.registrationOpensAt, zone),
    registrationClosesAt: fromLocal(form.registrationClosesAt, zone),
    cancellationDeadline: fromLocal(form.cancellationDeadline, zone),
    locationKind: form.locationKind,
    address: form.address ?? "",
    postalCode: form.postalCode ?? null,
    city: form.city ?? "",
    latitude: form.latitude ?? null,
    longitude: form.longitude ?? null,
    onlineUrl: form.onlineUrl ?? null,
    capacity: form.capacity,
    maxPersonsPerRegistration: form.maxPersonsPerRegistration ?? 1,
    minAge: form.minAge ?? null,
    maxAge: form.maxAge ?? null,
    priceTiers: formTiers(form),
    organiserSlvieId: form.organiserSlvieId ?? null,
    visibility: form.visibility ?? "public",
  };
}

const instant = { type: "string", format: "date-time" };
const nullable = (schema: object) => ({ anyOf: [schema, { type: "null" }] });

const apiProperties = {
  title: text(150, 3),
  summary: text(300),
  description: { ...text(20_000), description: "Simple HTML or plain text; sanitized" },
  category: { type: "string", description: "Category slug or id" },
  audiences: {
    type: "array",
    items: { type: "string", enum: [...AUDIENCES] },
    minItems: 1,
    uniqueItems: true,
  },
  startsAt: instant,
  endsAt: instant,
  timezone: { type: "string", description: "IANA timezone, e.g. Europe/Paris" },
  registrationOpensAt: nullable(instant),
  registrationClosesAt: nullable(instant),
  cancellationDeadline: nullable(instant),
  locationKind: { type: "string", enum: ["place", "online"] },
  address: text(200),
  postalCode: nullable({ type: "string", pattern: "^\\d[0-9AB]\\d{3}$" }),
  city: text(100),
  latitude: nullable({ type: "number", minimum: -90, maximum: 90 }),
  longitude: nullable({ type: "number", minimum: -180, maximum: 180 }),
  onlineUrl: nullable({ type: "string", format: "uri", pattern: "^https?://" }),
  capacity: { type: "integer", minimum: 1, maximum: 100_000 },
  maxPersonsPerRegistration: { type: "integer", minimum: 1, maximum: 50 },
  minAge: nullable({ type: "integer", minimum: 0, maximum: 120 }),
  maxAge: nullable({ type: "integer", minimum: 0, maximum: 120 }),
  priceTiers: {
    type: "array",
    maxItems: 10,
    description: "Empty for a free offer; bands of coefficient social by rising upper bound",
    items: {
      type: "object",
      required: ["price"],
      additionalProperties: false,
      properties: {
        upTo: nullable({ type: "integer", minimum: 0 }),
        price: { type: "integer", minimum: 0, maximum: 10_000_000, description: "Euro cents" },
      },
    },
  },
  organiserSlvieId: nullable({ type: "string", format: "uuid" }),
  visibility: { type: "string", enum: [...VISIBILITIES] },
};

export const offerCreateApiSchema = {
  type: "object",
  additionalProperties: false,
  required: ["title", "category", "startsAt", "endsAt", "capacity"],
  properties: { ...apiProperties, publish: { type: "boolean" } },
} as const;

export const offerPatchApiSchema = {
  type: "object",
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ...apiProperties,
    status: { type: "string", enum: ["published", "cancelled"] },
    cancellationReason: text(1000, 3),
  },
} as const;

export interface OfferApiBody {
  title?: string;
  summary?: string;
  description?: string;
  category?: string;
  audiences?: Audience[];
  startsAt?: string;
  endsAt?: string;
  timezone?: string;
  registrationOpensAt?: string | null;
  registrationClosesAt?: string | null;
  cancellationDeadline?: string | null;
  locationKind?: "place" | "online";
  address?: string;
  postalCode?: string | null;
  city?: string;
  latitude?: number | null;
  longitude?: number | null;
  onlineUrl?: string | null;
  capacity?: number;
  maxPersonsPerRegistration?: number;
  minAge?: number | null;
  maxAge?: number | null;
  priceTiers?: { upTo?: number | null; price: number }[];
  organiserSlvieId?: string | null;
  visibility?: Visibility;
  publish?: boolean;
  status?: "published" | "cancelled";
  cancellationReason?: string;
}

/** Merges an API body over an existing offer's input (PATCH) or the defaults (POST). */
export function apiToInput(body: OfferApiBody, base: OfferInput, categoryId: string): OfferInput {
  const date = (v: string | null | undefined, fallback: Date | null) =>
    v === undefined ? fallback : v === null ? null : new Date(v);
  const pick = <T>(v: T | undefined, fallback: T): T => (v === undefined ? fallback : v);
  return {
    title: pick(body.title, base.title),
    summary: pick(body.summary, base.summary),
    description: pick(body.description, base.description),
    categoryId,
    audiences: pick(body.audiences, base.audiences),
    startsAt: date(body.startsAt, base.startsAt)!,
    endsAt: date(body.endsAt, base.endsAt)!,
    timezone: pick(body.timezone, base.timezone),
    registrationOpensAt: date(body.registrationOpensAt, base.registrationOpensAt),
    registrationClosesAt: date(body.registrationClosesAt, base.registrationClosesAt),
    cancellationDeadline: date(body.cancellationDeadline, base.cancellationDeadline),
    locationKind: pick(body.locationKind, base.locationKind),
    address: pick(body.address, base.address),
    postalCode: pick(body.postalCode, base.postalCode),
    city: pick(body.city, base.city),
    latitude: pick(body.latitude, base.latitude),
    longitude: pick(body.longitude, base.longitude),
    onlineUrl: pick(body.onlineUrl, base.onlineUrl),
    capacity: pick(body.capacity, base.capacity),
    maxPersonsPerRegistration: pick(body.maxPersonsPerRegistration, base.maxPersonsPerRegistration),
    minAge: pick(body.minAge, base.minAge),
    maxAge: pick(body.maxAge, base.maxAge),
    priceTiers: body.priceTiers
      ? body.priceTiers.map((t) => ({ upTo: t.upTo ?? null, price: t.price }))
      : base.priceTiers,
    organiserSlvieId: pick(body.organiserSlvieId, base.organiserSlvieId),
    visibility: pick(body.visibility, base.visibility),
  };
}
