// The carpooling pages: the rides, publishing one (maybe for an activity), a ride with its best
// matches, writing to its author through in-app messages, closing it; moderation is shared.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { MODERATOR_ROLES, requireUser } from "../../server/http/auth.ts";
import { HttpError, type FieldError } from "../../server/http/errors.ts";
import { flash, renderForm } from "../../server/http/forms.ts";
import { startConversation } from "../../server/messages/messages.service.ts";
import { describedBy, listingModerationRoutes } from "../../server/moderation/listings.routes.ts";
import * as rides from "./covoiturage.service.ts";
import type { RideInput } from "./covoiturage.service.ts";

const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;

/** The ride form's fields (also the API's, as strings) into a RideInput. */
export function rideInput(body: Record<string, unknown>): RideInput {
  const time = /^(\d{1,2}):(\d{2})$/.exec(str(body.time));
  const regular = body.regular === "regular";
  let days = 0;
  for (const d of WEEKDAYS) if (body[`day${d}`] === "on") days |= 1 << (d - 1);
  return {
    kind: body.kind === "request" ? "request" : body.kind === "offer" ? "offer" : ("" as never),
    days: regular ? days || -1 : 0,
    date: regular ? null : str(body.date) || null,
    departMinutes: time ? Number(time[1]) * 60 + Number(time[2]) : -1,
    windowMinutes: Number(str(body.window) || "30"),
    from: str(body.from).slice(0, 60),
    to: str(body.to).slice(0, 60),
    seats: Number(str(body.seats) || "1"),
    detourKm: Number(str(body.detour) || "5"),
    contributionCents: Math.round(Number((str(body.contribution) || "0").replace(",", ".")) * 100),
    note: str(body.note).slice(0, 1000),
    offerId: str(body.offerId) || null,
    network: body.network === "on",
  };
}

export function describe(req: express.Request, ride: rides.Ride) {
  const hh = String(Math.floor(ride.depart_minutes / 60)).padStart(2, "0");
  const mm = String(ride.depart_minutes % 60).padStart(2, "0");
  return {
    ...ride,
    time: `${hh}:${mm}`,
    dayNames: WEEKDAYS.filter((d) => ride.days & (1 << (d - 1)))
      .map((d) => req.t(`covoiturage:weekdays.${d}`))
      .join(", "),
    contribution: ride.contribution_cents
      ? (ride.contribution_cents / 100).toFixed(2).replace(".", ",")
      : null,
  };
}

export function rideRoutes(router: express.Router, ctx: AppContext): void {
  const deps = { publicUrl: ctx.config.publicUrl };

  router.get("/covoiturage", requireUser, async (req, res) => {
    const kind =
      req.query.kind === "offer" || req.query.kind === "request" ? req.query.kind : undefined;
    const items = await rides.listRides(ctx.db, { kind });
    res.render("covoiturage/index", {
      title: req.t("covoiturage:title"),
      items: items.map((r) => describe(req, r)),
      kind,
      moderator: req.user !== undefined && MODERATOR_ROLES.includes(req.user.role),
    });
  });

  const newForm = async (
    req: express.Request,
    res: express.Response,
    values: Record<string, unknown>,
    errors: FieldError[] = [],
  ) => {
    const offerId = str(values.offerId);
    const offer = offerId
      ? await ctx.db
          .selectFrom("offers")
          .select(["id", "title"])
          .where("id", "=", offerId)
          .executeTakeFirst()
          .catch(() => undefined)
      : undefined;
    renderForm(res, "covoiturage/new", ctx.i18n, req, {
      title: req.t("covoiturage:new.title"),
      weekdays: WEEKDAYS.map((d) => ({
        d,
        label: req.t(`covoiturage:weekdays.${d}`),
        checked: values[`day${d}`] === "on",
      })),
      offer,
      values,
      errors,
    });
  };

  router.get("/covoiturage/new", requireUser, (req, res) =>
    newForm(req, res, {
      kind: "offer",
      regular: "once",
      time: "08:00",
      window: "30",
      seats: "3",
      detour: "5",
      offerId: str(req.query.offer),
    }),
  );

  router.post("/covoiturage", requireUser, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const created = await ctx.transaction((tx) =>
      rides.createRide(tx, req.user!.id, rideInput(body), ctx.ports.covoiturage),
    );
    if (!created.ok)
      return newForm(req, res, body, [
        { field: created.error, key: `covoiturage:errors.${created.error}` },
      ]);
    flash(req, "covoiturage:created");
    res.redirect(303, `/covoiturage/${created.value.id}`);
  });

  listingModerationRoutes(router, ctx, {
    module: "covoiturage",
    base: "/covoiturage",
    find: describedBy(rides.findRide, (found) => ({
      authorId: found.user_id,
      title: `${found.from_commune} → ${found.to_commune}`,
    })),
    setRemoved: rides.removalOf(ctx.ports.covoiturage),
  });

  const ridePage = async (
    req: express.Request,
    res: express.Response,
    options: { status?: number; values?: object; errors?: FieldError[] } = {},
  ) => {
    const ride = await rides.findRide(ctx.db, String(req.params.id));
    const own = ride !== undefined && ride.user_id === req.user?.id;
    const moderator = req.user !== undefined && MODERATOR_ROLES.includes(req.user.role);
    if (!ride || (ride.removed_reason !== null && !own && !moderator))
      throw new HttpError(404, "errors.notFound");
    const matches = own && ride.status === "open" ? await rides.matchesFor(ctx.db, ride) : [];
    const offer = ride.offer_id
      ? await ctx.db
          .selectFrom("offers")
          .select(["id", "title"])
          .where("id", "=", ride.offer_id)
          .executeTakeFirst()
      : undefined;
    renderForm(
      res,
      "covoiturage/ride",
      ctx.i18n,
      req,
      {
        title: `${ride.from_commune} → ${ride.to_commune}`,
        ride: describe(req, ride),
        offer,
        own,
        moderator,
        open: ride.status === "open" && ride.removed_reason === null,
        remoteMatches: matches.some((m) => m.ride.remote_url !== null),
        matches: matches.map((m) => ({
          ...m,
          ride: describe(req, m.ride),
          startKm: Math.round(m.startKm),
          endKm: Math.round(m.endKm),
        })),
        values: options.values,
        errors: options.errors,
      },
      options.status,
    );
  };

  // Rides are shown to members only: who goes where and when is not for everyone.
  router.get("/covoiturage/:id", requireUser, (req, res) => ridePage(req, res));

  router.post("/covoiturage/:id/contact", requireUser, async (req, res) => {
    const ride = await rides.findRide(ctx.db, String(req.params.id));
    if (!ride || ride.user_id === null || ride.removed_reason !== null || ride.status !== "open")
      throw new HttpError(404, "errors.notFound");
    const message = str((req.body as Record<string, unknown>).message).slice(0, 4001);
    const started = await ctx.transaction((tx) =>
      startConversation(tx, deps, {
        fromId: req.user!.id,
        toId: ride.user_id!,
        subject: `${req.t("covoiturage:subject")} ${ride.from_commune} → ${ride.to_commune}`,
        context: `covoiturage:ride:${ride.id}`,
        link: `/covoiturage/${ride.id}`,
        body: message,
      }),
    );
    if (!started.ok)
      return ridePage(req, res, {
        status: started.error === "self" ? 409 : 422,
        values: { message },
        errors: [{ field: "message", key: `messages:errors.${started.error}` }],
      });
    res.redirect(303, `/messages/${started.value.id}`);
  });

  router.post("/covoiturage/:id/close", requireUser, async (req, res) => {
    const done = await ctx.transaction((tx) =>
      rides.closeRide(tx, String(req.params.id), req.user!.id, ctx.ports.covoiturage),
    );
    if (!done.ok) throw new HttpError(404, "errors.notFound");
    flash(req, "covoiturage:closed");
    res.redirect(303, `/covoiturage/${String(req.params.id)}`);
  });
}
