// Missions in the JSON API: upcoming slots with the list's filters, signing up and cancelling.
import type { ApiRegistry } from "../../server/api/api-registry.ts";
import type { AppContext } from "../../server/context.ts";
import { HttpError } from "../../server/http/errors.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { listSlots } from "./missions.repo.ts";
import { parseFilters } from "./missions.routes.ts";
import { CAUSES, cancelSignUp, signUp } from "./missions.service.ts";

const SLOT = {
  type: "object",
  properties: {
    missionId: { type: "string", format: "uuid" },
    slotId: { type: "string", format: "uuid" },
    title: { type: "string" },
    cause: { type: "string", enum: [...CAUSES] },
    organiser: { type: "string" },
    remote: { type: "boolean" },
    city: { type: "string" },
    startsAt: { type: "string", format: "date-time" },
    durationMinutes: { type: "integer" },
    placesLeft: { type: "integer" },
    distanceKm: { type: ["integer", "null"] },
  },
} as const;

export function missionsApi(api: ApiRegistry, ctx: AppContext): void {
  const deps = bookingDeps(ctx);

  api.add<unknown, Record<string, string>>({
    method: "get",
    path: "/missions",
    summary: "Upcoming slots of volunteering missions, with filters (missions plugin)",
    tags: ["missions"],
    auth: "optional",
    query: {
      properties: {
        cause: { type: "string", enum: [...CAUSES] },
        from: { type: "string", format: "date" },
        maxHours: { type: "string", pattern: "^[0-9]{1,2}$" },
        near: { type: "string", maxLength: 60, description: "A postal code or a commune" },
        km: { type: "string", pattern: "^[0-9]{1,3}$" },
      },
    },
    responses: {
      200: { description: "Slots, soonest first", schema: { type: "array", items: SLOT } },
    },
    async handler(req, res) {
      const parsed = await parseFilters(ctx, req.validQuery);
      if (parsed.errors.length) throw new HttpError(400, parsed.errors[0]!.key);
      const slots = await listSlots(ctx.db, parsed.filters);
      res.json(
        slots.map((s) => ({
          missionId: s.missionId,
          slotId: s.slotId,
          title: s.title,
          cause: s.cause,
          organiser: s.organiser,
          remote: s.remote,
          city: s.city,
          startsAt: s.starts_at.toISOString(),
          durationMinutes: s.duration_minutes,
          placesLeft: s.placesLeft,
          distanceKm: s.distance,
        })),
      );
    },
  });

  api.add({
    method: "post",
    path: "/missions/:id/slots/:slotId/registrations",
    summary: "Sign me up for a slot of a mission (missions plugin)",
    tags: ["missions"],
    auth: "user",
    responses: {
      201: {
        description: "Signed up, or on the waiting list",
        schema: {
          type: "object",
          properties: { status: { type: "string", enum: ["confirmed", "waitlisted"] } },
        },
      },
      409: { description: "Already signed up, or sign-ups closed" },
    },
    async handler(req, res) {
      const input = {
        missionId: String(req.params.id),
        slotId: String(req.params.slotId),
        userId: req.apiUser!.id,
      };
      const done = await ctx.transaction((tx) => signUp(tx, deps, input));
      if (!done.ok) {
        if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
        throw new HttpError(409, `missions:errors.signup.${done.error}`);
      }
      res
        .status(201)
        .json({ status: done.value.status === "waitlisted" ? "waitlisted" : "confirmed" });
    },
  });

  api.add({
    method: "delete",
    path: "/missions/:id/slots/:slotId/registrations",
    summary: "Cancel my sign-up for a slot (missions plugin)",
    tags: ["missions"],
    auth: "user",
    responses: { 204: { description: "Cancelled" } },
    async handler(req, res) {
      const input = {
        missionId: String(req.params.id),
        slotId: String(req.params.slotId),
        userId: req.apiUser!.id,
      };
      const done = await ctx.transaction((tx) => cancelSignUp(tx, deps, input));
      if (!done.ok) {
        if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
        throw new HttpError(409, `missions:errors.signup.${done.error}`);
      }
      res.status(204).end();
    },
  });
}
