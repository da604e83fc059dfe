// The national calendar (HUB=1): every upcoming activity of the hub and of its members, soonest
// first with no promoted content, by day, week or month or as a list, with the catalogue's
// filters plus the region; the same filtered view as iCalendar and Atom feeds. The page is a list
// of links and forms: it needs neither JavaScript nor map tiles.
import type express from "express";
import { DateTime } from "luxon";
import type { AppContext } from "../context.ts";
import { handlers } from "../http/handlers.ts";
import { formState } from "../http/forms.ts";
import { translate } from "../i18n/i18n.ts";
import { searchOffers, territories, type CataloguePage } from "../offers/catalogue.repo.ts";
import { RADII } from "../offers/catalogue.params.ts";
import { atom, calendar, entriesOf } from "../offers/feeds.ts";
import { listCategories } from "../offers/offers.repo.ts";
import { AUDIENCES } from "../offers/offers.tables.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import { cardLabels, cardView, categoryName, memo, whenLabel } from "../offers/offers.view.ts";
import { hubQueryString, readHubSearch, VIEWS, type HubSearch } from "./calendar.params.ts";
import { REGIONS } from "./regions.ts";
import { mapView } from "../offers/offers.map.ts";

export const LIST_PAGE = 50;
/** A day, week or month shows all its activities, up to this many. */
const PERIOD_LIMIT = 1000;
const FEED_LIMIT = 500;

/**
 * The hub's query path: one call of the catalogue query with the hub's filters. A words search
 * is counted by its page (ADR 0147): counting its matches up to 1,000 reads each one from the
 * table (a full-text index cannot answer alone) and cost two to three times the page itself.
 */
export async function hubPage(
  ctx: AppContext,
  search: HubSearch,
  member: boolean,
  page = 1,
  perPage = LIST_PAGE,
): Promise<CataloguePage> {
  const limit = search.period.view === "list" ? perPage : PERIOD_LIMIT;
  return searchOffers(
    ctx.db,
    search.filters,
    { member },
    { limit, offset: (page - 1) * limit, count: search.filters.q ? "page" : "cap" },
  );
}

export function calendarPublicRoutes(router: express.Router, ctx: AppContext): void {
  // Feeds of any filtered view: no session; public offers only.
  router.get("/hub/calendar.ics", async (req, res) => {
    const search = await readHubSearch(ctx.db, req.query as Record<string, unknown>);
    const result = await hubPage(ctx, search, false, 1, FEED_LIMIT);
    const { name } = await ctx.settings.get();
    res
      .type("text/calendar; charset=utf-8")
      .set("Cache-Control", "public, max-age=300")
      .send(calendar(name, ctx.config.publicUrl, await entriesOf(ctx.db, ids(result))));
  });
  router.get("/hub/calendar.atom", async (req, res) => {
    const search = await readHubSearch(ctx.db, req.query as Record<string, unknown>);
    const result = await hubPage(ctx, search, false, 1, FEED_LIMIT);
    const instance = await ctx.settings.get();
    const t = (key: string, values?: Record<string, unknown>) =>
      translate(ctx.i18n, "fr", key, values);
    res
      .type("application/atom+xml; charset=utf-8")
      .set("Cache-Control", "public, max-age=300")
      .send(
        atom(instance, ctx.config.publicUrl, await entriesOf(ctx.db, ids(result)), (e) =>
          whenLabel(e.startsAt, e.endsAt, e.timezone, "fr", t),
        ),
      );
  });
}

const ids = (page: CataloguePage) => page.items.map((i) => i.id);

export function calendarRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  router.get("/hub", (_req, res) => res.redirect(302, "/hub/calendar"));
  router.get("/hub/calendar", on(calendarPage));
}

async function calendarPage(ctx: AppContext, req: express.Request, res: express.Response) {
  const search = await readHubSearch(ctx.db, req.query as Record<string, unknown>);
  const { query, period } = search;
  const page = search.period.view === "list" ? (query.page ?? 1) : 1;
  const result = await hubPage(ctx, search, req.user !== undefined, page);
  const t = memo(req.t);
  const locale = req.lang === "en" ? "en-GB" : "fr-FR";
  // Grouped by the day they start, in the instance's timezone.
  const days = new Map<string, { label: string; iso: string; offers: object[] }>();
  for (const card of result.items) {
    const day = DateTime.fromJSDate(card.startsAt, { zone: DEFAULT_TIMEZONE });
    const iso = day.toISODate()!;
    if (!days.has(iso))
      days.set(iso, {
        iso,
        label: day.setLocale(locale).toLocaleString(DateTime.DATE_HUGE),
        offers: [],
      });
    days.get(iso)!.offers.push({ ...cardView(card, req.lang, t), remote: card.remote });
  }
  const qs = hubQueryString(query);
  const withQs = (extra: Record<string, string>) => `?${hubQueryString(query, extra)}`;
  const periodLabel =
    period.view === "list"
      ? undefined
      : period.view === "day"
        ? period.from.setLocale(locale).toLocaleString(DateTime.DATE_HUGE)
        : period.view === "month"
          ? period.from.setLocale(locale).toFormat("LLLL yyyy")
          : req.t("hub:calendar.weekOf", {
              date: period.from.setLocale(locale).toLocaleString(DateTime.DATE_FULL),
            });
  res.status(search.errors.length ? 422 : 200).render("hub/calendar", {
    title: req.t("hub:calendar.title"),
    query,
    form: formState(ctx.i18n, req.lang, query, search.errors),
    categories: (await listCategories(ctx.db)).map((c) => ({
      slug: c.slug,
      name: categoryName(c, req.lang),
    })),
    audiences: AUDIENCES,
    radii: RADII,
    radius: query.radius ?? 30,
    regions: REGIONS,
    territories: await territories(ctx.db),
    views: VIEWS.map((v) => ({
      value: v,
      label: req.t(`hub:calendar.views.${v}`),
      href: withQs({ view: v, page: "" }),
      current: v === period.view,
    })),
    place: search.place,
    periodLabel,
    prevPeriod: period.prev ? withQs({ date: period.prev }) : undefined,
    nextPeriod: period.next ? withQs({ date: period.next }) : undefined,
    total: result.total,
    totalCapped: result.totalCapped,
    days: [...days.values()],
    map: mapView(ctx.config, result.items, req.t("hub:calendar.map"), (c) =>
      c.remote ? `/hub/book/${c.id}` : `/offers/${c.id}`,
    ),
    cardLabels: cardLabels(req.t),
    page,
    prev: page > 1 ? withQs({ page: String(page - 1) }) : undefined,
    next: period.view === "list" && result.hasMore ? withQs({ page: String(page + 1) }) : undefined,
    icsLink: `/hub/calendar.ics${qs ? `?${qs}` : ""}`,
    atomLink: `/hub/calendar.atom${qs ? `?${qs}` : ""}`,
  });
}
