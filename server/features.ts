// The features this instance serves, in navigation order.
import type { Feature } from "./http/feature.ts";
import { instancePublicRoutes, instanceRoutes } from "./instance/instance.routes.ts";
import { accountRoutes } from "./accounts/accounts.routes.ts";
import { accountsApi } from "./accounts/accounts.api.ts";
import { memberRoutes } from "./members/members.routes.ts";
import { membersApi } from "./members/members.api.ts";
import { adminRoutes } from "./admin/admin.routes.ts";
import { notificationRoutes, notificationsApi } from "./notifications/notifications.routes.ts";
import { federationFeature } from "./federation/federation.feature.ts";
import { forumsFeature } from "./forums/forums.feature.ts";
import { offersFeature } from "./offers/offers.feature.ts";

export const features: Feature[] = [
  {
    name: "instance",
    nav: [{ href: "/", label: "common:nav.home" }],
    publicRoutes: instancePublicRoutes,
    routes: instanceRoutes,
  },
  offersFeature,
  { name: "accounts", routes: accountRoutes, api: accountsApi },
  {
    name: "members",
    nav: [{ href: "/me", label: "common:nav.profile", signedIn: true }],
    routes: memberRoutes,
    api: membersApi,
  },
  { name: "notifications", routes: notificationRoutes, api: notificationsApi },
  federationFeature,
  forumsFeature,
  {
    name: "admin",
    nav: [{ href: "/admin", label: "common:nav.admin", roles: ["admin"] }],
    routes: adminRoutes,
  },
];
