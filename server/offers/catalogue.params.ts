// The catalogue's filters, read the same way from the search form (GET, works without
// JavaScript) and from the API's query string.
import { DateTime } from "luxon";
import type { Db } from "../db/database.ts";
import { compileForm, fieldErrors } from "../http/validate.ts";
import type { FieldError } from "../http/errors.ts";
import type { CatalogueFilters } from "./catalogue.repo.ts";
import { findCategory, findPostalPlace, type PostalPlace } from "./offers.repo.ts";
import { AUDIENCES, type Audience } from "./offers.tables.ts";
import { DEFAULT_TIMEZONE } from "./offers.schemas.ts";

export const RADII = [5, 10, 20, 30, 50, 100, 200];

export const catalogueQuery = {
  properties: {
    q: { type: "string", maxLength: 200, description: "Words, in French or English" },
    from: { type: "string", format: "date", description: "Starting on or after (YYYY-MM-DD)" },
    to: { type: "string", format: "date", description: "Starting on or before (YYYY-MM-DD)" },
    category: { type: "string", maxLength: 40, description: "Category slug" },
    audience: { type: "string", enum: [...AUDIENCES] },
    maxPrice: { type: "number", minimum: 0, maximum: 100_000, description: "Euros" },
    available: { type: "boolean", description: "Only offers with places left" },
    near: { type: "string", maxLength: 80, description: "Postal code or commune" },
    radius: { type: "integer", minimum: 1, maximum: 500, description: "Kilometres (30)" },
    lat: { type: "number", minimum: -90, maximum: 90 },
    lon: { type: "number", minimum: -180, maximum: 180 },
    page: { type: "integer", minimum: 1, maximum: 10_000 },
    origin: {
      type: "string",
      enum: ["all", "local", "remote"],
      description: "local: this CMCAS's offers; remote: those of followed territories (all)",
    },
    territory: {
      type: "string",
      maxLength: 200,
      description: "Offers of one followed territory, by its instance host (host[:port])",
    },
  },
};

export interface CatalogueQuery {
  q?: string;
  from?: string;
  to?: string;
  category?: string;
  audience?: Audience;
  maxPrice?: number;
  available?: boolean;
  near?: string;
  radius?: number;
  lat?: number;
  lon?: number;
  page?: number;
  origin?: "all" | "local" | "remote";
  territory?: string;
}

const validateQuery = compileForm<CatalogueQuery>({ type: "object", ...catalogueQuery });

/** Validates a query string; invalid fields are dropped and reported. */
export function readQuery(raw: Record<string, unknown>): {
  query: CatalogueQuery;
  errors: FieldError[];
} {
  const data: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw))
    if (key in catalogueQuery.properties && typeof value === "string" && value.trim() !== "")
      data[key] = value.trim();
  if (data.available === "on" || data.available === "1") data.available = "true";
  if (validateQuery(data)) return { query: data, errors: [] };
  const errors = fieldErrors(validateQuery.errors);
  for (const error of errors) delete data[error.field];
  validateQuery(data);
  return { query: data, errors };
}

const dayStart = (date: string) =>
  DateTime.fromISO(date, { zone: DEFAULT_TIMEZONE }).startOf("day").toJSDate();

export async function toFilters(
  db: Db,
  query: CatalogueQuery,
): Promise<{ filters: CatalogueFilters; errors: FieldError[]; place?: PostalPlace }> {
  const errors: FieldError[] = [];
  const filters: CatalogueFilters = {
    q: query.q,
    from: query.from ? dayStart(query.from) : undefined,
    to: query.to ? DateTime.fromJSDate(dayStart(query.to)).plus({ days: 1 }).toJSDate() : undefined,
    audience: query.audience,
    maxPriceCents: query.maxPrice === undefined ? undefined : Math.round(query.maxPrice * 100),
    available: query.available,
    origin: query.origin,
    territory: query.territory,
  };
  if (query.category) {
    const category = await findCategory(db, query.category);
    if (category) filters.categoryId = category.id;
    else errors.push({ field: "category", key: "offers:catalogue.errors.category" });
  }
  const radiusKm = query.radius ?? 30;
  let place: PostalPlace | undefined;
  // A typed postal code wins over a position the browser gave earlier.
  if (query.near) {
    place = await findPostalPlace(db, query.near);
    if (place) filters.near = { latitude: place.latitude, longitude: place.longitude, radiusKm };
    else errors.push({ field: "near", key: "offers:catalogue.errors.near" });
  } else if (query.lat !== undefined && query.lon !== undefined) {
    filters.near = { latitude: query.lat, longitude: query.lon, radiusKm };
  }
  if (filters.from && filters.to && filters.to <= filters.from)
    errors.push({ field: "to", key: "offers:catalogue.errors.range" });
  return { filters, errors, ...(place ? { place } : {}) };
}

/** The query string of the current filters, for pagination and calendar links. */
export function queryString(query: CatalogueQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...extra }))
    if (value !== undefined && key !== "page") params.set(key, String(value));
  return params.toString();
}
