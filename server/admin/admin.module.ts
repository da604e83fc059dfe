// Administration: dashboard, settings, users, invitations, jobs.
import type { Module } from "../modules/module.ts";
import { adminRoutes } from "./admin.routes.ts";
import { moduleRoutes } from "./modules.routes.ts";

export const adminModule: Module = {
  name: "admin",
  nav: [{ href: "/admin", label: "common:nav.admin", roles: ["admin"] }],
  routes(router, ctx) {
    adminRoutes(router, ctx);
    moduleRoutes(router, ctx);
  },
};
