// Finding offers: the catalogue with its filters, the month calendar, the last-minute list,
// "my registrations", category alerts, and calendar files.
import type express from "express";
import { DateTime } from "luxon";
import type { AppContext } from "../context.ts";
import { requireUser } from "../http/auth.ts";
import { handlers } from "../http/handlers.ts";
import { HttpError } from "../http/errors.ts";
import { flash, formState } from "../http/forms.ts";
import { searchOffers, territories } from "./catalogue.repo.ts";
import { RADII, queryString, readQuery, toFilters } from "./catalogue.params.ts";
import { calendar, entryOf, feedToken } from "./feeds.ts";
import { setSubscriptions, subscribedCategories } from "./notices.service.ts";
import { isUuid, listCategories, readOfferSettings } from "./offers.repo.ts";
import { AUDIENCES } from "./offers.tables.ts";
import { DEFAULT_TIMEZONE } from "./offers.schemas.ts";
import {
  cachedCards,
  cardLabels,
  cardView,
  categoryName,
  dateTimeLabel,
  memo,
} from "./offers.view.ts";
import { mapView } from "./offers.map.ts";
import { listForUser } from "./registrations.repo.ts";

export const PAGE_SIZE = 50;

type Req = express.Request;
type Res = express.Response;

const filterOptions = async (ctx: AppContext, req: express.Request) => ({
  categories: (await listCategories(ctx.db)).map((c) => ({
    slug: c.slug,
    id: c.id,
    name: categoryName(c, req.lang),
  })),
  audiences: AUDIENCES,
  radii: RADII,
  origins: ["all", "local", "remote"].map((value) => ({
    value,
    label: req.t(`offers:catalogue.origins.${value}`),
  })),
  territories: await territories(ctx.db),
});

export function catalogueRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);

  router.get("/offers", on(catalogue));
  router.get("/offers/calendar", on(calendarPage));
  router.get("/offers/last-minute", on(lastMinute));
  router.get("/offers/mine", requireUser, on(myOffers));
  router.post("/offers/mine/calendar", requireUser, on(renewFeed));
  router.get("/offers/alerts", requireUser, on(alertsForm));
  router.post("/offers/alerts", requireUser, on(saveAlerts));
  router.get("/offers/:id.ics", on(offerIcs));
}

async function catalogue(ctx: AppContext, req: Req, res: Res) {
  const { query, errors: queryErrors } = readQuery(req.query as Record<string, unknown>);
  const { filters, errors, place } = await toFilters(ctx.db, query);
  const page = query.page ?? 1;
  // One statement for the offers and their count; the filters' lists come from short caches.
  const [result, options] = await Promise.all([
    searchOffers(
      ctx.db,
      filters,
      { member: req.user !== undefined },
      { limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE },
    ),
    filterOptions(ctx, req),
  ]);
  const qs = queryString(query);
  const t = memo(req.t);
  // The page still lists offers without the refused filters, and says which ones they were.
  res.status(queryErrors.length + errors.length ? 422 : 200).render("offers/catalogue", {
    title: req.t("offers:catalogue.title"),
    ...options,
    query,
    // "Plus de filtres" stays open while one of its filters is in use or refused.
    moreFilters:
      [...queryErrors, ...errors].some((e) => e.field !== "q") ||
      Object.entries(query).some(
        ([key, value]) => !["q", "page"].includes(key) && !(key === "origin" && value === "all"),
      ),
    radius: query.radius ?? 30,
    place,
    form: formState(ctx.i18n, req.lang, query, [...queryErrors, ...errors]),
    total: result.total,
    totalCapped: result.totalCapped,
    offers: cachedCards(ctx.fragments, result.items, req.lang, t),
    // The same results on a map when the instance has a tile server (ADR 0124); the list stays.
    map: mapView(ctx.config, result.items, req.t("offers:catalogue.map"), (c) => `/offers/${c.id}`),
    cardLabels: cardLabels(req.t),
    page,
    prev: page > 1 ? `?${qs ? `${qs}&` : ""}page=${page - 1}` : undefined,
    next: result.hasMore ? `?${qs ? `${qs}&` : ""}page=${page + 1}` : undefined,
    calendarLink: `/offers/calendar${qs ? `?${qs}` : ""}`,
    headLinks: [
      {
        rel: "alternate",
        type: "application/atom+xml",
        href: "/offers/feed.atom",
        title: req.t("offers:feeds.atom"),
      },
      {
        rel: "alternate",
        type: "text/calendar",
        href: "/offers.ics",
        title: req.t("offers:feeds.ical"),
      },
    ],
  });
}

async function calendarPage(ctx: AppContext, req: Req, res: Res) {
  const { query } = readQuery(req.query as Record<string, unknown>);
  const month =
    typeof req.query.month === "string" && /^[1-9]\d{3}-(0[1-9]|1[0-2])$/.test(req.query.month)
      ? req.query.month
      : DateTime.now().setZone(DEFAULT_TIMEZONE).toFormat("yyyy-LL");
  const first = DateTime.fromISO(`${month}-01`, { zone: DEFAULT_TIMEZONE }).setLocale(
    req.lang === "en" ? "en-GB" : "fr-FR",
  );
  const { filters } = await toFilters(ctx.db, { ...query, from: undefined, to: undefined });
  const result = await searchOffers(
    ctx.db,
    { ...filters, from: first.toJSDate(), to: first.plus({ months: 1 }).toJSDate() },
    { member: req.user !== undefined },
    { limit: 1000, offset: 0 },
  );
  const byDay = new Map<string, ReturnType<typeof cardView>[]>();
  for (const card of result.items) {
    const day = DateTime.fromJSDate(card.startsAt, { zone: card.timezone }).toISODate()!;
    byDay.set(day, [...(byDay.get(day) ?? []), cardView(card, req.lang, req.t)]);
  }
  const today = DateTime.now().setZone(DEFAULT_TIMEZONE).toISODate();
  const weeks: object[][] = [];
  let day = first.startOf("week");
  const qs = queryString({ ...query, from: undefined, to: undefined });
  while (day < first.plus({ months: 1 })) {
    const week: object[] = [];
    for (let i = 0; i < 7; i++) {
      const iso = day.toISODate()!;
      const offers = byDay.get(iso) ?? [];
      week.push({
        iso,
        dayNumber: day.day,
        label: day.toLocaleString(DateTime.DATE_HUGE),
        inMonth: day.month === first.month,
        today: iso === today,
        offers: offers.slice(0, 4),
        more: offers.length > 4 ? offers.length - 4 : 0,
        dayLink: `/offers?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(qs)), from: iso, to: iso }).toString()}`,
      });
      day = day.plus({ days: 1 });
    }
    weeks.push(week);
  }
  // On a phone the grid gives way to the days that have activities, named in full; an empty
  // month points to the next one that has some.
  const agenda = [...byDay.entries()]
    .filter(([iso]) => iso.startsWith(month))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([iso, offers]) => ({
      label: DateTime.fromISO(iso, { zone: DEFAULT_TIMEZONE })
        .setLocale(req.lang === "en" ? "en-GB" : "fr-FR")
        .toFormat("cccc d LLLL"),
      today: iso === today,
      offers,
    }));
  let nextActive: { label: string; link: string } | undefined;
  if (agenda.length === 0) {
    const after = await searchOffers(
      ctx.db,
      { ...filters, from: first.plus({ months: 1 }).toJSDate() },
      { member: req.user !== undefined },
      { limit: 1, offset: 0 },
    );
    const next = after.items[0];
    if (next) {
      const at = DateTime.fromJSDate(next.startsAt, { zone: next.timezone }).setLocale(
        req.lang === "en" ? "en-GB" : "fr-FR",
      );
      nextActive = {
        label: at.toFormat("LLLL yyyy"),
        link: `?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(qs)), month: at.toFormat("yyyy-LL") })}`,
      };
    }
  }
  res.render("offers/calendar", {
    title: req.t("offers:calendar.title"),
    agenda,
    nextActive,
    monthLabel: first.toFormat("LLLL yyyy"),
    weekdays: Array.from({ length: 7 }, (_, i) =>
      first.startOf("week").plus({ days: i }).toFormat("cccc"),
    ),
    weeks,
    count: result.total,
    prevMonth: `?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(qs)), month: first.minus({ months: 1 }).toFormat("yyyy-LL") })}`,
    nextMonth: `?${new URLSearchParams({ ...Object.fromEntries(new URLSearchParams(qs)), month: first.plus({ months: 1 }).toFormat("yyyy-LL") })}`,
    listLink: `/offers${qs ? `?${qs}` : ""}`,
  });
}

async function lastMinute(ctx: AppContext, req: Req, res: Res) {
  const { lastMinuteDays } = await readOfferSettings(ctx.db);
  const result = await searchOffers(
    ctx.db,
    { lastMinuteDays },
    { member: req.user !== undefined },
    { limit: 100, offset: 0 },
  );
  res.render("offers/last-minute", {
    title: req.t("offers:lastMinute.title"),
    days: lastMinuteDays,
    offers: cachedCards(ctx.fragments, result.items, req.lang, memo(req.t)),
    cardLabels: cardLabels(req.t),
  });
}

async function myOffers(ctx: AppContext, req: Req, res: Res) {
  const now = new Date();
  const rows = await listForUser(ctx.db, req.user!.id);
  const view = rows.map((r) => ({
    ...r,
    when: dateTimeLabel(r.offer.startsAt, r.offer.timezone, req.lang),
    upcoming: r.offer.endsAt > now,
  }));
  const token = await feedToken(ctx.db, req.user!.id);
  // Plugins add their part for the member's past activities (reviews to give).
  const ended = rows.filter(
    (r) => r.status === "confirmed" && r.offer.endsAt <= now && r.offer.status !== "cancelled",
  );
  res.render("offers/mine", {
    title: req.t("offers:mine.title"),
    slots: await ctx.modules.fill("offers.mine", req, {
      ended: ended.map((r) => ({ offerId: r.offerId, title: r.offer.title })),
    }),
    // The next activity first; the past ones follow, the latest first.
    upcoming: view
      .filter((r) => r.upcoming && r.status !== "cancelled")
      .sort((a, b) => a.offer.startsAt.getTime() - b.offer.startsAt.getTime()),
    past: view.filter((r) => !r.upcoming || r.status === "cancelled"),
    feedUrl: new URL(`/calendars/${token}.ics`, ctx.config.publicUrl).href,
  });
}

async function renewFeed(ctx: AppContext, req: Req, res: Res) {
  await feedToken(ctx.db, req.user!.id, true);
  flash(req, "offers:mine.feedRenewed");
  res.redirect(303, "/offers/mine#calendar");
}

async function alertsForm(ctx: AppContext, req: Req, res: Res) {
  const [categories, chosen] = await Promise.all([
    listCategories(ctx.db),
    subscribedCategories(ctx.db, req.user!.id),
  ]);
  res.render("offers/alerts", {
    title: req.t("offers:alerts.title"),
    categories: categories.map((c) => ({
      id: c.id,
      name: categoryName(c, req.lang),
      checked: chosen.includes(c.id),
    })),
    emailOn: req.user!.notificationPrefs.emailLastMinute,
    days: (await readOfferSettings(ctx.db)).lastMinuteDays,
  });
}

async function saveAlerts(ctx: AppContext, req: Req, res: Res) {
  const raw = (req.body as Record<string, unknown>).categories;
  const ids = (Array.isArray(raw) ? raw : [raw]).filter(isUuid);
  const known = new Set((await listCategories(ctx.db)).map((c) => c.id));
  await setSubscriptions(
    ctx.db,
    req.user!.id,
    ids.filter((id) => known.has(id)),
  );
  flash(req, "offers:alerts.saved");
  res.redirect(303, "/offers/alerts");
}

// One offer as a calendar file; members may export offers that are not public.
async function offerIcs(ctx: AppContext, req: Req, res: Res) {
  const id = String(req.params.id);
  const entry = isUuid(id) ? await entryOf(ctx.db, id, req.user !== undefined) : undefined;
  if (!entry) throw new HttpError(404, "errors.notFound");
  res
    .type("text/calendar; charset=utf-8")
    .set("Content-Disposition", `attachment; filename="activite-${id}.ics"`)
    .send(calendar(entry.title, ctx.config.publicUrl, [entry]));
}
