// The missions' pages: the list and the calendar with their filters, a mission with its slots
// (sign up and cancel in one click each), and the staff's form. Moderation is the shared one.
import type express from "express";
import { DateTime } from "luxon";
import type { AppContext } from "../../server/context.ts";
import { MODERATOR_ROLES, STAFF_ROLES, requireRole, requireUser } from "../../server/http/auth.ts";
import { HttpError, type FieldError } from "../../server/http/errors.ts";
import { flash, renderForm } from "../../server/http/forms.ts";
import { describedBy, listingModerationRoutes } from "../../server/moderation/listings.routes.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { findPostalPlace } from "../../server/offers/offers.repo.ts";
import { DEFAULT_TIMEZONE } from "../../server/offers/offers.schemas.ts";
import * as repo from "./missions.repo.ts";
import * as missions from "./missions.service.ts";

const DURATIONS = [60, 120, 240, 480];
const str = (v: unknown) => (typeof v === "string" ? v.trim() : "");

export interface ParsedFilters {
  filters: repo.MissionFilters;
  values: Record<string, string>;
  errors: FieldError[];
}

/** The filters of the list, the calendar and the API, from a query string. */
export async function parseFilters(
  ctx: AppContext,
  query: Record<string, unknown>,
): Promise<ParsedFilters> {
  const values = Object.fromEntries(
    ["cause", "from", "maxHours", "near", "km"].map((k) => [k, str(query[k]).slice(0, 60)]),
  );
  const filters: repo.MissionFilters = {};
  const errors: FieldError[] = [];
  if ((missions.CAUSES as readonly string[]).includes(values.cause!)) filters.cause = values.cause;
  if (values.from) {
    const from = DateTime.fromISO(values.from, { zone: DEFAULT_TIMEZONE });
    if (from.isValid) filters.from = from.toJSDate();
    else errors.push({ field: "from", key: "missions:errors.from" });
  }
  const hours = Number(values.maxHours);
  if (values.maxHours && Number.isFinite(hours) && hours > 0) filters.maxMinutes = hours * 60;
  if (values.near) {
    const place = await findPostalPlace(ctx.db, values.near);
    const radius = Number(ctx.modules.settings("missions").defaultRadiusKm) || 30;
    const km = Math.min(Math.max(Number(values.km) || radius, 1), 500);
    if (place) filters.near = { latitude: place.latitude, longitude: place.longitude, km };
    else errors.push({ field: "near", key: "missions:errors.near" });
  }
  return { filters, values, errors };
}

export function missionRoutes(router: express.Router, ctx: AppContext): void {
  const deps = bookingDeps(ctx);
  const causes = (req: express.Request, selected?: string) =>
    missions.CAUSES.map((value) => ({
      value,
      label: req.t(`missions:causes.${value}`),
      selected: value === selected,
    }));
  const labelled = (req: express.Request, rows: repo.SlotRow[]) =>
    rows.map((r) => ({
      ...r,
      causeLabel: req.t(`missions:causes.${r.cause}`),
      hours: r.duration_minutes / 60,
    }));

  router.get("/missions", async (req, res) => {
    const parsed = await parseFilters(ctx, req.query);
    const slots = parsed.errors.length ? [] : await repo.listSlots(ctx.db, parsed.filters);
    renderForm(
      res,
      "missions/index",
      ctx.i18n,
      req,
      {
        title: req.t("missions:title"),
        slots: labelled(req, slots),
        causes: causes(req, parsed.values.cause),
        durations: DURATIONS.map((m) => ({
          value: String(m / 60),
          selected: String(m / 60) === parsed.values.maxHours,
        })),
        staff: req.user !== undefined && STAFF_ROLES.includes(req.user.role),
        moderator: req.user !== undefined && MODERATOR_ROLES.includes(req.user.role),
        query: new URLSearchParams(parsed.values).toString(),
        values: parsed.values,
        errors: parsed.errors,
      },
      parsed.errors.length ? 422 : 200,
    );
  });

  router.get("/missions/calendar", async (req, res) => {
    const month = /^\d{4}-\d{2}$/.test(str(req.query.month)) ? str(req.query.month) : undefined;
    const start = (
      month
        ? DateTime.fromISO(`${month}-01`, { zone: DEFAULT_TIMEZONE })
        : DateTime.now().setZone(DEFAULT_TIMEZONE)
    ).startOf("month");
    if (!start.isValid) throw new HttpError(400, "errors.validation");
    const parsed = await parseFilters(ctx, req.query);
    const slots = await repo.listSlots(ctx.db, {
      ...parsed.filters,
      from: start.toJSDate(),
      to: start.plus({ months: 1 }).toJSDate(),
    });
    const days = new Map<string, repo.SlotRow[]>();
    for (const slot of slots) {
      const day = DateTime.fromJSDate(slot.starts_at, { zone: DEFAULT_TIMEZONE }).toISODate()!;
      days.set(day, [...(days.get(day) ?? []), slot]);
    }
    res.render("missions/calendar", {
      title: req.t("missions:calendar.title"),
      month: start.toJSDate(),
      previous: start.minus({ months: 1 }).toFormat("yyyy-MM"),
      next: start.plus({ months: 1 }).toFormat("yyyy-MM"),
      days: [...days].map(([day, items]) => ({
        day: DateTime.fromISO(day, { zone: DEFAULT_TIMEZONE }).toJSDate(),
        items: labelled(req, items),
      })),
      causes: causes(req, parsed.values.cause),
    });
  });

  const newForm = (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors: FieldError[] = [],
  ) =>
    renderForm(res, "missions/new", ctx.i18n, req, {
      title: req.t("missions:new.title"),
      causes: causes(req, (values as Record<string, string>).cause),
      rows: [1, 2, 3],
      values,
      errors,
    });

  router.get("/missions/new", requireRole(...STAFF_ROLES), (req, res) =>
    newForm(req, res, { slot1Places: "10", slot1Hours: "2", slot1Time: "09:00" }),
  );

  router.post("/missions", requireRole(...STAFF_ROLES), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const slots: missions.SlotInput[] = [];
    for (const i of [1, 2, 3]) {
      const date = str(body[`slot${i}Date`]);
      if (!date) continue;
      const startsAt = DateTime.fromISO(`${date}T${str(body[`slot${i}Time`]) || "09:00"}`, {
        zone: DEFAULT_TIMEZONE,
      });
      slots.push({
        startsAt: startsAt.isValid ? startsAt.toJSDate() : new Date(Number.NaN),
        durationMinutes: Math.round(Number(str(body[`slot${i}Hours`]).replace(",", ".")) * 60),
        places: Number(str(body[`slot${i}Places`])),
      });
    }
    const created = await ctx.transaction((tx) =>
      missions.createMission(tx, deps, req.user!.id, {
        title: str(body.title),
        cause: str(body.cause),
        organiser: str(body.organiser),
        description: str(body.description),
        remote: body.remote === "on",
        postalCode: str(body.postalCode),
        skills: str(body.skills),
        network: body.network === "on",
        slots,
      }),
    );
    if (!created.ok)
      return newForm(req, res, body, (created.details?.problems ?? []) as FieldError[]);
    flash(req, "missions:created");
    res.redirect(303, `/missions/${created.value.id}`);
  });

  listingModerationRoutes(router, ctx, {
    module: "missions",
    base: "/missions",
    find: describedBy(repo.findMission, (found) => ({
      authorId: found.created_by,
      title: found.title,
    })),
    setRemoved: missions.setRemoved,
  });

  router.get("/missions/:id", async (req, res) => {
    const mission = await repo.findMission(ctx.db, String(req.params.id));
    const moderator = req.user !== undefined && MODERATOR_ROLES.includes(req.user.role);
    const own = mission !== undefined && mission.created_by === req.user?.id;
    if (!mission || (mission.removed_reason !== null && !moderator && !own))
      throw new HttpError(404, "errors.notFound");
    res.render("missions/mission", {
      title: mission.title,
      mission: { ...mission, causeLabel: req.t(`missions:causes.${mission.cause}`) },
      slots: (await repo.missionSlots(ctx.db, mission.id, req.user?.id)).map((s) => ({
        ...s,
        hours: s.duration_minutes / 60,
      })),
      open: mission.status === "open" && mission.removed_reason === null,
      moderator,
    });
  });

  router.post("/missions/:id/slots/:slotId/signup", requireUser, async (req, res) => {
    const input = {
      missionId: String(req.params.id),
      slotId: String(req.params.slotId),
      userId: req.user!.id,
    };
    const done = await ctx.transaction((tx) => missions.signUp(tx, deps, input));
    if (!done.ok) {
      if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
      throw new HttpError(409, `missions:errors.signup.${done.error}`, {
        detail: req.t(`missions:errors.signup.${done.error}`),
      });
    }
    flash(req, done.value.status === "waitlisted" ? "missions:waitlisted" : "missions:signedUp");
    res.redirect(303, `/missions/${input.missionId}`);
  });

  router.post("/missions/:id/slots/:slotId/cancel", requireUser, async (req, res) => {
    const input = {
      missionId: String(req.params.id),
      slotId: String(req.params.slotId),
      userId: req.user!.id,
    };
    const done = await ctx.transaction((tx) => missions.cancelSignUp(tx, deps, input));
    if (!done.ok) {
      if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
      throw new HttpError(409, `missions:errors.signup.${done.error}`);
    }
    flash(req, "missions:cancelled");
    res.redirect(303, `/missions/${input.missionId}`);
  });
}
