// Volunteering missions (the Benenova model): missions published by the CMCAS, its SLVies or
// partner associations, found on a list and a calendar filtered by cause, date, duration and
// distance, joined in two clicks. Each slot is an offer of the "benevolat" category, booked
// under the offers' rules (no overbooking, waiting list, reminders); a network mission's slots
// reach the instances that follow this one as the offers' Events (ADR 0141).
import path from "node:path";
import { fileURLToPath } from "node:url";
import { definePlugin } from "../../app/plugin.ts";
import { DEFAULT_TIMEZONE } from "../../server/offers/offers.schemas.ts";
import { missionsApi } from "./missions.api.ts";
import { listSlots } from "./missions.repo.ts";
import { missionRoutes } from "./missions.routes.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

export default definePlugin({
  manifest: {
    name: "missions",
    version: "1.0.0",
    api: 1,
    label: { fr: "Missions bénévoles", en: "Volunteering missions" },
    description: {
      fr: "Des missions courtes de bénévolat, sur une liste et un calendrier ; les membres s'inscrivent en deux clics à un créneau, sans surréservation.",
      en: "Short volunteering missions on a list and a calendar; members sign up for a slot in two clicks, never overbooked.",
    },
    enabledByDefault: false,
  },
  module: {
    name: "missions",
    views: path.join(here, "views"),
    migrations: path.join(here, "migrations"),
    nav: [{ href: "/missions", label: "missions:nav" }],
    settings: {
      schema: {
        type: "object",
        additionalProperties: false,
        properties: {
          defaultRadiusKm: {
            type: "integer",
            title: "missions:settings.radius",
            default: 30,
            minimum: 1,
            maximum: 500,
          },
        },
      },
    },
    routes(router, ctx) {
      router.use("/missions", (_req, res, next) => {
        res.locals.tz = DEFAULT_TIMEZONE;
        next();
      });
      missionRoutes(router, ctx);
    },
    api: missionsApi,
    async home(_req, ctx) {
      const items = (await listSlots(ctx.db, {})).slice(0, 3);
      return { homeBlock: { partial: "missions/home", locals: { items } } };
    },
  },
});
