// The instance itself: home page, logo, about and legal pages, settings.
import type { Module } from "../modules/module.ts";
import { instancePublicRoutes, instanceRoutes } from "./instance.routes.ts";

export const instanceModule: Module = {
  name: "instance",
  nav: [{ href: "/", label: "common:nav.home" }],
  publicRoutes: instancePublicRoutes,
  routes: instanceRoutes,
};
