// The moderation pages of a plugin's listings, mounted by each plugin with its own paths: report a
// listing (members), remove or restore it with a reason (moderators), the open reports
// (moderators) and the public log (everyone). The plugin says how to find and hide its listings.
import type express from "express";
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/transaction.ts";
import { MODERATOR_ROLES, requireRole, requireUser } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import { isUuid } from "../offers/offers.repo.ts";
import * as moderation from "./listings.service.ts";

export interface ModeratedListings {
  /** The plugin's name: its message namespace and its rows in the shared tables. */
  module: string;
  /** Where its listings live: `${base}/:id` is a listing's page. */
  base: string;
  find(
    db: AppContext["db"],
    id: string,
  ): Promise<{ authorId: string | null; title: string; removed: boolean } | undefined>;
  /** Hides the listing with the reason shown to its author, or shows it again (null). */
  setRemoved(tx: Tx, id: string, reason: string | null): Promise<void>;
}

/** A plugin's `find` from its own lookup: it names the author and title, the rest is common. */
export function describedBy<R extends { removed_reason: string | null }>(
  lookup: (db: AppContext["db"], id: string) => Promise<R | undefined>,
  describe: (row: R) => { authorId: string | null; title: string },
): ModeratedListings["find"] {
  return async (db, id) => {
    const found = await lookup(db, id);
    return found && { ...describe(found), removed: found.removed_reason !== null };
  };
}

export function listingModerationRoutes(
  router: express.Router,
  ctx: AppContext,
  spec: ModeratedListings,
): void {
  const { base, module } = spec;
  const deps = { publicUrl: ctx.config.publicUrl };
  const listing = async (req: express.Request) => {
    const id = String(req.params.id);
    const found = isUuid(id) ? await spec.find(ctx.db, id) : undefined;
    if (!found) throw new HttpError(404, "errors.notFound");
    return { id, ...found };
  };
  const form = (
    req: express.Request,
    res: express.Response,
    view: "report" | "moderate",
    found: { id: string; title: string; removed: boolean },
    errors: { field: string; key: string }[] = [],
    values: object = {},
  ) =>
    renderForm(res, `moderation/${view}`, ctx.i18n, req, {
      title: req.t(`moderation:${view}.title`, { title: found.title }),
      listing: { ...found, href: `${base}/${found.id}` },
      action: `${base}/${found.id}/${view}`,
      values,
      errors,
    });

  router.get(`${base}/moderation`, async (req, res) => {
    res.render("moderation/log", {
      title: req.t("moderation:log.title"),
      section: req.t(`${module}:title`),
      base,
      entries: await moderation.publicLog(ctx.db, module),
    });
  });

  router.get(`${base}/reports`, requireRole(...MODERATOR_ROLES), async (req, res) => {
    res.render("moderation/reports", {
      title: req.t("moderation:reports.title"),
      section: req.t(`${module}:title`),
      base,
      reports: await moderation.openReports(ctx.db, module),
    });
  });

  router.get(`${base}/:id/report`, requireUser, async (req, res) => {
    form(req, res, "report", await listing(req));
  });

  router.post(`${base}/:id/report`, requireUser, async (req, res) => {
    const found = await listing(req);
    const reason = String((req.body as Record<string, unknown>).reason ?? "");
    const done = await moderation.reportListing(ctx.db, {
      module,
      listingId: found.id,
      reporterId: req.user!.id,
      reason,
    });
    if (!done.ok)
      return form(
        req,
        res,
        "report",
        found,
        [{ field: "reason", key: "moderation:errors.reason" }],
        {
          reason,
        },
      );
    flash(req, "moderation:reported");
    res.redirect(303, `${base}/${found.id}`);
  });

  router.get(`${base}/:id/moderate`, requireRole(...MODERATOR_ROLES), async (req, res) => {
    form(req, res, "moderate", await listing(req));
  });

  router.post(`${base}/:id/moderate`, requireRole(...MODERATOR_ROLES), async (req, res) => {
    const found = await listing(req);
    const body = req.body as Record<string, unknown>;
    const reason = String(body.reason ?? "");
    const action = found.removed ? "restore" : "remove";
    const done = await ctx.transaction(async (tx) => {
      const recorded = await moderation.recordDecision(tx, deps, {
        module,
        listingId: found.id,
        title: found.title,
        authorId: found.authorId,
        moderatorId: req.user!.id,
        action,
        reason,
        link: `${base}/${found.id}`,
      });
      if (recorded.ok)
        await spec.setRemoved(tx, found.id, action === "remove" ? reason.trim() : null);
      return recorded;
    });
    if (!done.ok)
      return form(
        req,
        res,
        "moderate",
        found,
        [{ field: "reason", key: "moderation:errors.reason" }],
        {
          reason,
        },
      );
    flash(req, action === "remove" ? "moderation:removed" : "moderation:restored");
    res.redirect(303, `${base}/${found.id}`);
  });
}
