// Feeds and files read by calendar apps and feed readers: no session, no cookie.
import type express from "express";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { atom, calendar, memberEntries, publicEntries, userOfFeedToken } from "./feeds.ts";
import { whenLabel } from "./offers.view.ts";
import { translate } from "../i18n/i18n.ts";

export function feedRoutes(router: express.Router, ctx: AppContext): void {
  router.get("/offers.ics", async (_req, res) => {
    const { name } = await ctx.settings.get();
    res
      .type("text/calendar; charset=utf-8")
      .set("Cache-Control", "public, max-age=300")
      .send(calendar(name, ctx.config.publicUrl, await publicEntries(ctx.db, "start", 1000)));
  });

  router.get("/offers/feed.atom", async (_req, res) => {
    const instance = await ctx.settings.get();
    const t = (key: string, values?: Record<string, unknown>) =>
      translate(ctx.i18n, "fr", key, values);
    res
      .type("application/atom+xml; charset=utf-8")
      .set("Cache-Control", "public, max-age=300")
      .send(
        atom(instance, ctx.config.publicUrl, await publicEntries(ctx.db, "updated", 50), (e) =>
          whenLabel(e.startsAt, e.endsAt, e.timezone, "fr", t),
        ),
      );
  });

  // The secret address is the only credential: it is long, random and can be replaced.
  router.get("/calendars/:token.ics", async (req, res) => {
    const userId = await userOfFeedToken(ctx.db, String(req.params.token));
    if (!userId) throw new HttpError(404, "errors.notFound");
    const { name } = await ctx.settings.get();
    res
      .type("text/calendar; charset=utf-8")
      .set("Cache-Control", "private, max-age=300")
      .set("X-Robots-Tag", "noindex")
      .send(calendar(name, ctx.config.publicUrl, await memberEntries(ctx.db, userId)));
  });
}
