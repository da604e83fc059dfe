// Members: profile, family members, preferences.
import type { Module } from "../modules/module.ts";
import { membersApi } from "./members.api.ts";
import { memberRoutes } from "./members.routes.ts";

export const membersModule: Module = {
  name: "members",
  nav: [{ href: "/me", label: "common:nav.profile", signedIn: true }],
  routes: memberRoutes,
  api: membersApi,
};
