// The forums feature: groups, topics and replies, reading state, search and moderation.
import type { Feature } from "../http/feature.ts";
import { forumFederationApi, forumFederationRoutes } from "./federation.routes.ts";
import { groupsApi } from "./groups.api.ts";
import { groupRoutes } from "./groups.routes.ts";
import { moderationApi } from "./moderation.api.ts";
import { moderationRoutes } from "./moderation.routes.ts";
import { searchRoutes } from "./search.routes.ts";
import { topicsApi } from "./topics.api.ts";
import { topicRoutes } from "./topics.routes.ts";

export const forumsFeature: Feature = {
  name: "forums",
  nav: [{ href: "/groups", label: "forums:nav" }],
  routes(router, ctx) {
    router.use(["/groups", "/topics", "/posts", "/forums"], (_req, res, next) => {
      res.locals.headLinks = [{ rel: "stylesheet", type: "text/css", href: "/static/forums.css" }];
      next();
    });
    searchRoutes(router, ctx);
    forumFederationRoutes(router, ctx);
    moderationRoutes(router, ctx);
    groupRoutes(router, ctx);
    topicRoutes(router, ctx);
  },
  api(api, ctx) {
    forumFederationApi(api, ctx);
    groupsApi(api, ctx);
    topicsApi(api, ctx);
    moderationApi(api, ctx);
  },
};
