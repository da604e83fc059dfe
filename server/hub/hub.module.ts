// The CCAS hub's domain half (HUB=1, ADR 0121): the national calendar and search over the hub's
// own offers and those of its members (aggregated by federation/hub following each member), its
// feeds and its API. On an instance that is not the hub it mounts nothing.
import type { Module } from "../modules/module.ts";
import { hubApi } from "./hub.api.ts";
import { calendarPublicRoutes, calendarRoutes } from "./calendar.routes.ts";
import { bookingRoutes } from "./booking.routes.ts";
import { observatoryPublicRoutes, observatoryRoutes } from "./observatory.routes.ts";

export const hubModule: Module = {
  name: "hub",
  styles: ["/static/hub.css"],
  cachedPages: ["/hub/calendar"],
  publicRoutes(router, ctx) {
    observatoryPublicRoutes(router, ctx);
    if (ctx.config.hub) calendarPublicRoutes(router, ctx);
  },
  adminNav: [{ href: "/admin/observatory", label: "hub:observatory.ownTitle", key: "observatory" }],
  routes(router, ctx) {
    observatoryRoutes(router, ctx);
    if (!ctx.config.hub) return;
    calendarRoutes(router, ctx);
    bookingRoutes(router, ctx);
  },
  api: hubApi,
};
