import type { Feature } from "../http/feature.ts";
import { federationAdminRoutes } from "./admin.routes.ts";
import { federationApi } from "./federation.api.ts";
import { federationRoutes } from "./federation.routes.ts";

export const federationFeature: Feature = {
  name: "federation",
  nav: [{ href: "/follows", label: "federation:nav.follows", signedIn: true }],
  adminNav: [
    { href: "/admin/federation", label: "federation:admin.title", key: "federation" },
    {
      href: "/admin/federation/deliveries",
      label: "federation:deliveries.title",
      key: "deliveries",
    },
  ],
  routes(router, ctx) {
    federationRoutes(router, ctx);
    federationAdminRoutes(router, ctx);
  },
  api: federationApi,
};
