// The housing pages: the listings, publishing one, a listing with its contact form (in-app
// messages), "taken" and "close" for its author; moderation is the shared one.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { MODERATOR_ROLES, requireUser } from "../../server/http/auth.ts";
import { HttpError, type FieldError } from "../../server/http/errors.ts";
import { flash, renderForm } from "../../server/http/forms.ts";
import { startConversation } from "../../server/messages/messages.service.ts";
import { describedBy, listingModerationRoutes } from "../../server/moderation/listings.routes.ts";
import * as housing from "./logement.service.ts";
import type { HousingInput } from "./logement.service.ts";

const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");

export function housingInput(body: Record<string, unknown>): HousingInput {
  return {
    kind: str(body.kind) as HousingInput["kind"],
    housing: str(body.housing) as HousingInput["housing"],
    purpose: str(body.purpose) as HousingInput["purpose"],
    title: str(body.title).slice(0, 200),
    description: str(body.description),
    conditions: str(body.conditions),
    fromDate: str(body.fromDate),
    toDate: str(body.toDate) || null,
    place: str(body.place).slice(0, 60),
    rentCents: Math.round(Number((str(body.rent) || "0").replace(",", ".")) * 100),
  };
}

export const maxDays = (ctx: AppContext) => Number(ctx.modules.settings("logement").maxDays ?? 365);

export function label(
  req: express.Request,
  l: housing.Listing | Awaited<ReturnType<typeof housing.listListings>>[number],
) {
  return {
    ...l,
    housingLabel: req.t(`logement:housing.${l.housing}`),
    purposeLabel: req.t(`logement:purposes.${l.purpose}`),
    rent: l.rent_cents ? (l.rent_cents / 100).toFixed(2).replace(".", ",") : null,
  };
}

export function housingRoutes(router: express.Router, ctx: AppContext): void {
  const deps = { publicUrl: ctx.config.publicUrl };
  const options = (req: express.Request, values: Record<string, unknown>) => ({
    housingOptions: housing.HOUSING.map((value) => ({
      value,
      label: req.t(`logement:housing.${value}`),
      selected: value === values.housing,
    })),
    purposeOptions: housing.PURPOSES.map((value) => ({
      value,
      label: req.t(`logement:purposes.${value}`),
      selected: value === values.purpose,
    })),
  });

  router.get("/logement", requireUser, async (req, res) => {
    const kind =
      req.query.kind === "offer" || req.query.kind === "request" ? req.query.kind : undefined;
    const type = housing.HOUSING.find((h) => h === req.query.housing);
    const items = await housing.listListings(ctx.db, { kind, housing: type });
    res.render("logement/index", {
      title: req.t("logement:title"),
      items: items.map((l) => label(req, l)),
      kind,
      ...options(req, { housing: type }),
      moderator: MODERATOR_ROLES.includes(req.user!.role),
    });
  });

  const newForm = (
    req: express.Request,
    res: express.Response,
    values: Record<string, unknown>,
    errors: FieldError[] = [],
  ) =>
    renderForm(res, "logement/new", ctx.i18n, req, {
      title: req.t("logement:new.title"),
      ...options(req, values),
      values,
      errors,
    });

  router.get("/logement/new", requireUser, (req, res) =>
    newForm(req, res, { kind: "offer", fromDate: housing.today() }),
  );

  router.post("/logement", requireUser, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const created = await ctx.transaction((tx) =>
      housing.createListing(tx, req.user!.id, housingInput(body), maxDays(ctx)),
    );
    if (!created.ok)
      return newForm(req, res, body, [
        {
          field: created.error,
          key: `logement:errors.${created.error}`,
          values: { max: maxDays(ctx) },
        },
      ]);
    flash(req, "logement:created");
    res.redirect(303, `/logement/${created.value.id}`);
  });

  listingModerationRoutes(router, ctx, {
    module: "logement",
    base: "/logement",
    find: describedBy(housing.findListing, (found) => ({
      authorId: found.user_id,
      title: found.title,
    })),
    setRemoved: housing.setRemoved,
  });

  const listingPage = async (
    req: express.Request,
    res: express.Response,
    opts: { status?: number; values?: object; errors?: FieldError[] } = {},
  ) => {
    const found = await housing.findListing(ctx.db, String(req.params.id));
    const own = found !== undefined && found.user_id === req.user!.id;
    const moderator = MODERATOR_ROLES.includes(req.user!.role);
    // Taken, closed or expired: gone for everyone but its author and the moderators.
    if (!found || (!housing.available(found) && !own && !moderator))
      throw new HttpError(404, "errors.notFound");
    renderForm(
      res,
      "logement/listing",
      ctx.i18n,
      req,
      {
        title: found.title,
        listing: label(req, found),
        own,
        moderator,
        open: housing.available(found),
        values: opts.values,
        errors: opts.errors,
      },
      opts.status,
    );
  };

  router.get("/logement/:id", requireUser, (req, res) => listingPage(req, res));

  router.post("/logement/:id/contact", requireUser, async (req, res) => {
    const found = await housing.findListing(ctx.db, String(req.params.id));
    if (!found || found.user_id === null || !housing.available(found))
      throw new HttpError(404, "errors.notFound");
    const message = str((req.body as Record<string, unknown>).message).slice(0, 4001);
    const started = await ctx.transaction((tx) =>
      startConversation(tx, deps, {
        fromId: req.user!.id,
        toId: found.user_id!,
        subject: found.title,
        context: `logement:listing:${found.id}`,
        link: `/logement/${found.id}`,
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

  for (const status of ["taken", "closed"] as const)
    router.post(`/logement/:id/${status}`, requireUser, async (req, res) => {
      const done = await housing.setStatus(ctx.db, String(req.params.id), req.user!.id, status);
      if (!done.ok) throw new HttpError(404, "errors.notFound");
      flash(req, `logement:${status}`);
      res.redirect(303, `/logement/${String(req.params.id)}`);
    });
}
