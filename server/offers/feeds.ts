// Calendars (iCalendar, RFC 5545) and the Atom feed of offers. Times are written in each
// offer's own IANA timezone, with its VTIMEZONE, so calendar apps show the local hour.
import crypto from "node:crypto";
import { Feed } from "feed";
import ical, { ICalEventStatus } from "ical-generator";
import { getVtimezoneComponent } from "@touch4it/ical-timezones";
import { sql } from "kysely";
import { DateTime } from "luxon";
import type { Db } from "../db/database.ts";
import { plainText } from "./rich-text.ts";

export interface CalendarEntry {
  id: string;
  title: string;
  summary: string;
  descriptionHtml: string;
  startsAt: Date;
  endsAt: Date;
  timezone: string;
  locationKind: "place" | "online";
  address: string;
  postalCode: string | null;
  city: string;
  latitude: number | null;
  longitude: number | null;
  status: string;
  updatedAt: Date;
  categoryName: string;
  /** In a member's calendar, their rank when they are on the waiting list. */
  waitlistRank?: number;
}

export function calendar(name: string, publicUrl: URL, entries: CalendarEntry[]): string {
  const cal = ical({
    name,
    prodId: { company: "Maillage", product: "offers", language: "FR" },
    timezone: { name: "Europe/Paris", generator: getVtimezoneComponent },
  });
  for (const e of entries) {
    const link = new URL(`/offers/${e.id}`, publicUrl).href;
    const place =
      e.locationKind === "online"
        ? link
        : [e.address, [e.postalCode, e.city].filter(Boolean).join(" ")].filter(Boolean).join(", ");
    cal.createEvent({
      id: `offer-${e.id}@${publicUrl.host}`,
      start: DateTime.fromJSDate(e.startsAt, { zone: e.timezone }),
      end: DateTime.fromJSDate(e.endsAt, { zone: e.timezone }),
      timezone: e.timezone,
      stamp: e.updatedAt,
      lastModified: e.updatedAt,
      summary: e.title,
      description: [
        e.waitlistRank === undefined
          ? ""
          : e.waitlistRank > 0
            ? `Liste d'attente : rang ${e.waitlistRank} (waiting list: rank ${e.waitlistRank})`
            : "Liste d'attente (waiting list)",
        e.summary,
        plainText(e.descriptionHtml),
        link,
      ]
        .filter(Boolean)
        .join("\n\n"),
      location:
        e.latitude !== null && e.longitude !== null && e.locationKind === "place"
          ? { title: place, geo: { lat: e.latitude, lon: e.longitude } }
          : place,
      url: link,
      categories: [{ name: e.categoryName }],
      // A place on the waiting list is not a place: the calendar shows it as tentative.
      status:
        e.status === "cancelled"
          ? ICalEventStatus.CANCELLED
          : e.waitlistRank !== undefined
            ? ICalEventStatus.TENTATIVE
            : ICalEventStatus.CONFIRMED,
    });
  }
  return cal.toString();
}

export function atom(
  instance: { name: string; description: string },
  publicUrl: URL,
  entries: CalendarEntry[],
  dateLabel: (e: CalendarEntry) => string,
): string {
  const feed = new Feed({
    id: new URL("/offers", publicUrl).href,
    title: `${instance.name} — activités`,
    description: instance.description || undefined,
    link: new URL("/offers", publicUrl).href,
    language: "fr",
    updated: entries.reduce<Date>(
      (latest, e) => (e.updatedAt > latest ? e.updatedAt : latest),
      new Date(0),
    ),
    copyright: instance.name,
    feedLinks: { atom: new URL("/offers/feed.atom", publicUrl).href },
  });
  for (const e of entries) {
    const link = new URL(`/offers/${e.id}`, publicUrl).href;
    feed.addItem({
      id: link,
      link,
      title: e.title,
      date: e.updatedAt,
      description: `${dateLabel(e)}${e.city ? ` — ${e.city}` : ""}. ${e.summary}`,
      content: e.descriptionHtml,
      category: [{ name: e.categoryName }],
    });
  }
  return feed.atom1();
}

const entryColumns = [
  "o.id",
  "o.title",
  "o.summary",
  "o.description_html",
  "o.starts_at",
  "o.ends_at",
  "o.timezone",
  "o.location_kind",
  "o.address",
  "o.postal_code",
  "o.city",
  "o.latitude",
  "o.longitude",
  "o.status",
  "o.updated_at",
  "c.name_fr",
] as const;

type EntryRow = {
  id: string;
  title: string;
  summary: string;
  description_html: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  location_kind: "place" | "online";
  address: string;
  postal_code: string | null;
  city: string;
  latitude: number | null;
  longitude: number | null;
  status: string;
  updated_at: Date;
  name_fr: string;
};

const toEntry = (r: EntryRow): CalendarEntry => ({
  id: r.id,
  title: r.title,
  summary: r.summary,
  descriptionHtml: r.description_html,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  timezone: r.timezone,
  locationKind: r.location_kind,
  address: r.address,
  postalCode: r.postal_code,
  city: r.city,
  latitude: r.latitude,
  longitude: r.longitude,
  status: r.status,
  updatedAt: r.updated_at,
  categoryName: r.name_fr,
});

/** One offer, if the viewer may see it. */
export async function entryOf(db: Db, id: string, member: boolean) {
  let query = db
    .selectFrom("offers as o")
    .innerJoin("offer_categories as c", "c.id", "o.category_id")
    .select(entryColumns)
    .where("o.id", "=", id)
    .where("o.status", "<>", "draft");
  if (!member) query = query.where("o.visibility", "=", "public");
  const row = await query.executeTakeFirst();
  return row ? toEntry(row) : undefined;
}

/** These offers (a filtered view's, e.g. the hub's calendar), in the order given. */
export async function entriesOf(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom("offers as o")
    .innerJoin("offer_categories as c", "c.id", "o.category_id")
    .select(entryColumns)
    .where("o.id", "in", ids)
    .execute();
  const byId = new Map(rows.map((r) => [r.id, toEntry(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}

/** Public offers, upcoming or recently ended, for the instance's calendar. */
export async function publicEntries(db: Db, order: "start" | "updated", limit: number) {
  const rows = await db
    .selectFrom("offers as o")
    .innerJoin("offer_categories as c", "c.id", "o.category_id")
    .select(entryColumns)
    .where("o.visibility", "=", "public")
    .where("o.status", "in", ["published", "cancelled"])
    .where("o.ends_at", ">=", new Date(Date.now() - 30 * 86_400_000))
    .orderBy(order === "start" ? "o.starts_at" : "o.updated_at", order === "start" ? "asc" : "desc")
    .limit(limit)
    .execute();
  return rows.map(toEntry);
}

/** A member's registrations (confirmed or waiting), for their private calendar. */
export async function memberEntries(db: Db, userId: string) {
  const rows = await db
    .selectFrom("offer_registrations as r")
    .innerJoin("offers as o", "o.id", "r.offer_id")
    .innerJoin("offer_categories as c", "c.id", "o.category_id")
    .select(entryColumns)
    .select([
      "r.status as registration_status",
      "r.remote_position",
      "o.remote_uri",
      sql<string | null>`case when r.status = 'waitlisted' then (
        select count(*) from offer_registrations w
        where w.offer_id = r.offer_id and w.status = 'waitlisted' and w.seq <= r.seq) end`.as(
        "rank",
      ),
    ])
    .where("r.user_id", "=", userId)
    .where("r.status", "<>", "cancelled")
    .where("o.ends_at", ">=", new Date(Date.now() - 90 * 86_400_000))
    .orderBy("o.starts_at")
    .limit(500)
    .execute();
  return rows.map((r) => {
    const entry = toEntry(r);
    if (r.registration_status !== "waitlisted") return entry;
    // On another instance's offer, the rank is the one that instance told us.
    const rank = r.remote_uri !== null ? r.remote_position : Number(r.rank);
    return { ...entry, waitlistRank: rank ?? 0 };
  });
}

/** The secret address of a member's calendar: created on first use, replaced on demand. */
export async function feedToken(db: Db, userId: string, renew = false): Promise<string> {
  if (!renew) {
    const found = await db
      .selectFrom("offer_calendar_feeds")
      .select("token")
      .where("user_id", "=", userId)
      .executeTakeFirst();
    if (found) return found.token;
  }
  const token = crypto.randomBytes(24).toString("base64url");
  await db
    .insertInto("offer_calendar_feeds")
    .values({ user_id: userId, token })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ token, created_at: new Date() }))
    .execute();
  return token;
}

export async function userOfFeedToken(db: Db, token: string): Promise<string | undefined> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return undefined;
  const row = await db
    .selectFrom("offer_calendar_feeds")
    .select("user_id")
    .where("token", "=", token)
    .executeTakeFirst();
  return row?.user_id;
}
