// The services exchange's pages: listings (offered, wanted) by category, a listing with its forms
// (propose an exchange, write to its author, close it), my exchanges and balance, and the
// administrators' ledger. Moderation comes from the shared listing moderation.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { MODERATOR_ROLES, requireRole, requireUser } from "../../server/http/auth.ts";
import { HttpError, type FieldError } from "../../server/http/errors.ts";
import { flash, renderForm } from "../../server/http/forms.ts";
import { startConversation } from "../../server/messages/messages.service.ts";
import { describedBy, listingModerationRoutes } from "../../server/moderation/listings.routes.ts";
import * as listings from "./sel.listings.ts";
import * as ledger from "./sel.ledger.ts";

export const lowerLimitMinutes = (ctx: AppContext) =>
  -Math.round(Number(ctx.modules.settings("sel").lowerLimitHours ?? 20) * 60);

/** "1,5", "1.5" or "1:30" → 90 minutes; anything else → NaN. */
export function parseHours(value: unknown): number {
  if (typeof value !== "string") return Number.NaN;
  const text = value.trim();
  const clock = /^(\d{1,3}):([0-5]\d)$/.exec(text);
  if (clock) return Number(clock[1]) * 60 + Number(clock[2]);
  if (!/^\d{1,3}([.,]\d{1,2})?$/.test(text)) return Number.NaN;
  return Math.round(Number(text.replace(",", ".")) * 60);
}

const field = (body: Record<string, unknown>, name: string, max: number) =>
  typeof body[name] === "string" ? (body[name] as string).slice(0, max) : "";

export function selRoutes(router: express.Router, ctx: AppContext): void {
  const deps = { publicUrl: ctx.config.publicUrl };
  const categories = (req: express.Request) =>
    listings.CATEGORIES.map((value) => ({ value, label: req.t(`sel:categories.${value}`) }));

  router.get("/sel", async (req, res) => {
    const kind =
      req.query.kind === "offer" || req.query.kind === "want" ? req.query.kind : undefined;
    const category =
      typeof req.query.category === "string" &&
      (listings.CATEGORIES as readonly string[]).includes(req.query.category)
        ? req.query.category
        : undefined;
    const items = await listings.listListings(ctx.db, { kind, category });
    res.render("sel/index", {
      title: req.t("sel:title"),
      items: items.map((i) => ({ ...i, categoryLabel: req.t(`sel:categories.${i.category}`) })),
      categories: categories(req).map((c) => ({ ...c, selected: c.value === category })),
      kind,
      balance: req.user ? ledger.formatHours(await ledger.balanceOf(ctx.db, req.user.id)) : null,
      isAdmin: req.user?.role === "admin",
      moderator: req.user !== undefined && MODERATOR_ROLES.includes(req.user.role),
    });
  });

  const newForm = (
    req: express.Request,
    res: express.Response,
    values = {},
    errors: FieldError[] = [],
  ) =>
    renderForm(res, "sel/new", ctx.i18n, req, {
      title: req.t("sel:new.title"),
      categories: categories(req),
      values,
      errors,
    });

  router.get("/sel/new", requireUser, (req, res) => newForm(req, res, { kind: "offer" }));

  router.post("/sel", requireUser, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const checked = listings.checkListing(body);
    if (!checked.ok)
      return newForm(req, res, body, [
        { field: checked.error, key: `sel:errors.${checked.error}` },
      ]);
    const created = await listings.createListing(ctx.db, req.user!.id, checked.value);
    flash(req, "sel:created");
    res.redirect(303, `/sel/${created.id}`);
  });

  router.get("/sel/exchanges", requireUser, async (req, res) => {
    const [items, balance] = await Promise.all([
      ledger.history(ctx.db, req.user!.id),
      ledger.balanceOf(ctx.db, req.user!.id),
    ]);
    res.render("sel/exchanges", {
      title: req.t("sel:exchanges.title"),
      items,
      balance: ledger.formatHours(balance),
      limit: ledger.formatHours(lowerLimitMinutes(ctx)),
      mine: await listings.myListings(ctx.db, req.user!.id),
    });
  });

  for (const [action, accept] of [
    ["confirm", true],
    ["refuse", false],
  ] as const)
    router.post(`/sel/exchanges/:id/${action}`, requireUser, async (req, res) => {
      const done = await ctx.transaction((tx) =>
        ledger.decideExchange(tx, deps, {
          exchangeId: String(req.params.id),
          userId: req.user!.id,
          accept,
          lowerLimitMinutes: lowerLimitMinutes(ctx),
        }),
      );
      if (!done.ok) {
        if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
        throw new HttpError(409, `sel:errors.${done.error}`, {
          detail: req.t(`sel:errors.${done.error}`, done.details ?? {}),
        });
      }
      flash(req, accept ? "sel:confirmed" : "sel:refused");
      res.redirect(303, "/sel/exchanges");
    });

  router.post("/sel/exchanges/:id/cancel", requireUser, async (req, res) => {
    const done = await ledger.cancelExchange(ctx.db, {
      exchangeId: String(req.params.id),
      userId: req.user!.id,
    });
    if (!done.ok) throw new HttpError(404, "errors.notFound");
    flash(req, "sel:cancelled");
    res.redirect(303, "/sel/exchanges");
  });

  router.get("/sel/ledger", requireRole("admin"), async (req, res) => {
    const data = await ledger.ledger(ctx.db);
    res.render("sel/ledger", {
      title: req.t("sel:ledger.title"),
      total: ledger.formatHours(data.total),
      balanced: data.total === 0,
      accounts: data.accounts.map((a) => ({
        ...a,
        balance: ledger.formatHours(a.balance_minutes),
      })),
      lines: data.lines.map((l) => ({ ...l, hours: ledger.formatHours(l.minutes) })),
      limit: ledger.formatHours(lowerLimitMinutes(ctx)),
    });
  });

  listingModerationRoutes(router, ctx, {
    module: "sel",
    base: "/sel",
    find: describedBy(listings.findListing, (found) => ({
      authorId: found.user_id,
      title: found.title,
    })),
    setRemoved: listings.setRemoved,
  });

  const listingPage = async (
    req: express.Request,
    res: express.Response,
    options: { status?: number; values?: object; errors?: FieldError[] } = {},
  ) => {
    const found = await listings.findListing(ctx.db, String(req.params.id));
    const own = found !== undefined && found.user_id === req.user?.id;
    const moderator = req.user !== undefined && MODERATOR_ROLES.includes(req.user.role);
    if (!found || (found.removed_reason !== null && !own && !moderator))
      throw new HttpError(404, "errors.notFound");
    renderForm(
      res,
      "sel/listing",
      ctx.i18n,
      req,
      {
        title: found.title,
        listing: { ...found, categoryLabel: req.t(`sel:categories.${found.category}`) },
        own,
        moderator,
        open: found.status === "open" && found.removed_reason === null,
        values: options.values,
        errors: options.errors,
      },
      options.status,
    );
  };

  router.get("/sel/:id", (req, res) => listingPage(req, res));

  router.post("/sel/:id/exchanges", requireUser, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const minutes = parseHours(body.hours);
    const description = field(body, "description", 600);
    const done = await ctx.transaction((tx) =>
      ledger.proposeExchange(tx, deps, {
        listingId: String(req.params.id),
        userId: req.user!.id,
        minutes,
        description,
      }),
    );
    if (!done.ok) {
      if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
      const key =
        done.error === "minutes" ? "hours" : done.error === "description" ? "description" : "hours";
      return listingPage(req, res, {
        status: done.error === "self" || done.error === "closed" ? 409 : 422,
        values: { hours: body.hours, description },
        errors: [{ field: key, key: `sel:errors.${done.error}` }],
      });
    }
    flash(req, "sel:proposed");
    res.redirect(303, "/sel/exchanges");
  });

  router.post("/sel/:id/contact", requireUser, async (req, res) => {
    const found = await listings.findListing(ctx.db, String(req.params.id));
    if (!found || found.user_id === null || found.removed_reason !== null)
      throw new HttpError(404, "errors.notFound");
    const message = field(req.body as Record<string, unknown>, "message", 4001);
    const started = await ctx.transaction((tx) =>
      startConversation(tx, deps, {
        fromId: req.user!.id,
        toId: found.user_id!,
        subject: found.title,
        context: `sel:listing:${found.id}`,
        link: `/sel/${found.id}`,
        body: message,
      }),
    );
    if (!started.ok)
      return listingPage(req, res, {
        status: started.error === "self" ? 409 : 422,
        values: { message },
        errors: [{ field: "message", key: `messages:errors.${started.error}` }],
      });
    res.redirect(303, `/messages/${started.value.id}`);
  });

  router.post("/sel/:id/close", requireUser, async (req, res) => {
    const done = await listings.closeListing(ctx.db, String(req.params.id), req.user!.id);
    if (!done.ok) throw new HttpError(404, "errors.notFound");
    flash(req, "sel:closed");
    res.redirect(303, `/sel/${String(req.params.id)}`);
  });
}
