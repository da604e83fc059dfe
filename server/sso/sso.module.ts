// Single sign-on: OpenID Connect with the CCAS's identity provider, beside or instead of
// passwords: OIDC_* variables (ADR 0097) or the administrator's page (ADR 0092).
import type { Module } from "../modules/module.ts";
import { ssoRoutes } from "./sso.routes.ts";
import "./sso.tables.ts";

export const ssoModule: Module = {
  name: "sso",
  routes: ssoRoutes,
  adminNav: [{ href: "/admin/sso", label: "sso:admin.nav", key: "sso" }],
};
