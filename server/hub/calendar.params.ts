// The national calendar's query: the catalogue's filters (words, dates, category, audience,
// price, places left, distance from a postal code, territory) plus a region, and the period
// shown (a day, a week or a month around a date, or every upcoming activity as a list).
import { DateTime } from "luxon";
import type { Db } from "../db/database.ts";
import type { FieldError } from "../http/errors.ts";
import { compileForm, fieldErrors } from "../http/validate.ts";
import type { CatalogueFilters } from "../offers/catalogue.repo.ts";
import {
  catalogueQuery,
  readQuery,
  toFilters,
  type CatalogueQuery,
} from "../offers/catalogue.params.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import type { PostalPlace } from "../offers/offers.repo.ts";
import { REGIONS, regionBySlug } from "./regions.ts";

export const VIEWS = ["list", "day", "week", "month"] as const;
export type CalendarView = (typeof VIEWS)[number];

export const hubQuery = {
  properties: {
    ...catalogueQuery.properties,
    region: { type: "string", enum: REGIONS.map((r) => r.slug), description: "Region (slug)" },
    view: {
      type: "string",
      enum: [...VIEWS],
      description: "list: every upcoming activity; day, week, month: the period around `date`",
    },
    date: { type: "string", format: "date", description: "The day the period contains (today)" },
  },
};

export interface HubQuery extends CatalogueQuery {
  region?: string;
  view?: CalendarView;
  date?: string;
}

const validateExtra = compileForm<Pick<HubQuery, "region" | "view" | "date">>({
  type: "object",
  properties: {
    region: hubQuery.properties.region,
    view: hubQuery.properties.view,
    date: hubQuery.properties.date,
  },
});

export interface Period {
  view: CalendarView;
  from: DateTime;
  to: DateTime | undefined;
  prev?: string;
  next?: string;
}

/** The period a view shows; the list starts today (or at `from`) and has no end. */
export function periodOf(query: HubQuery, now = DateTime.now()): Period {
  const view = query.view ?? "list";
  const today = now.setZone(DEFAULT_TIMEZONE).startOf("day");
  const anchor = query.date
    ? DateTime.fromISO(query.date, { zone: DEFAULT_TIMEZONE }).startOf("day")
    : today;
  if (view === "list") return { view, from: today, to: undefined };
  const unit = view === "day" ? "day" : view === "week" ? "week" : "month";
  const from = anchor.startOf(unit);
  const to = from.plus({ [`${unit}s`]: 1 });
  return {
    view,
    from,
    to,
    prev: from.minus({ [`${unit}s`]: 1 }).toISODate()!,
    next: to.toISODate()!,
  };
}

export interface HubSearch {
  query: HubQuery;
  filters: CatalogueFilters;
  period: Period;
  errors: FieldError[];
  place?: PostalPlace;
}

/** Reads a query string: invalid fields are dropped and reported, the rest applies. */
export async function readHubSearch(db: Db, raw: Record<string, unknown>): Promise<HubSearch> {
  const { query: base, errors } = readQuery(raw);
  const extra: Record<string, unknown> = {};
  for (const key of ["region", "view", "date"])
    if (typeof raw[key] === "string" && (raw[key] as string).trim() !== "")
      extra[key] = (raw[key] as string).trim();
  if (!validateExtra(extra)) {
    for (const error of fieldErrors(validateExtra.errors)) {
      delete extra[error.field];
      errors.push(error);
    }
  }
  const query: HubQuery = { ...base, ...extra };
  const period = periodOf(query);
  const found = await toFilters(db, {
    ...base,
    ...(period.view === "list" ? {} : { from: undefined, to: undefined }),
  });
  const filters: CatalogueFilters = {
    ...found.filters,
    // The hub shows its own offers and those of the members it follows now, never others.
    followedOnly: true,
    ...(period.view === "list" ? {} : { from: period.from.toJSDate(), to: period.to!.toJSDate() }),
  };
  const region = query.region ? regionBySlug(query.region) : undefined;
  if (region) filters.postalPrefixes = region.postalPrefixes;
  return {
    query,
    filters,
    period,
    errors: [...errors, ...found.errors],
    ...(found.place ? { place: found.place } : {}),
  };
}

/** The query string of the current filters, for feeds, views and pages. */
export function hubQueryString(query: HubQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...query, ...extra }))
    if (value !== undefined && value !== "" && key !== "page") params.set(key, String(value));
  return params.toString();
}
