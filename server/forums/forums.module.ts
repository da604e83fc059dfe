// The forums module: groups, topics and replies, reading state, search and moderation.
import type { JobDefinitions, Module } from "../modules/module.ts";
import { notifyPost } from "./notify.service.ts";
import { forumFederationApi, forumFederationRoutes } from "./federation.routes.ts";
import { groupsApi } from "./groups.api.ts";
import { groupRoutes } from "./groups.routes.ts";
import { groupPictureRoutes } from "./group-picture.ts";
import { moderationApi } from "./moderation.api.ts";
import { moderationRoutes } from "./moderation.routes.ts";
import { searchRoutes } from "./search.routes.ts";
import { topicsApi } from "./topics.api.ts";
import { topicRoutes } from "./topics.routes.ts";

export interface ForumsJobs {
  /** `mentionedOnly`: tell only these members, and only of being mentioned (a second copy). */
  "forums.notify": { postId: string; mentionedOnly?: string[] };
}

declare module "../jobs/job-types.ts" {
  interface JobPayloads extends ForumsJobs {}
}

const jobs: JobDefinitions<keyof ForumsJobs> = {
  "forums.notify": {
    spec: { attempts: 5, backoffMs: 30_000, timeoutMs: 120_000 },
    async run(ctx, { postId, mentionedOnly }) {
      await ctx.transaction((tx) => notifyPost(tx, ctx.config.publicUrl, postId, mentionedOnly));
    },
  },
};

export const forumsModule: Module = {
  name: "forums",
  nav: [{ href: "/groups", label: "forums:nav" }],
  cachedPages: ["/groups", "/groups/:slug", "/topics/:id"],
  jobs,
  routes(router, ctx) {
    router.use(["/groups", "/topics", "/posts", "/forums"], (_req, res, next) => {
      res.locals.headLinks = [{ rel: "stylesheet", type: "text/css", href: "/static/forums.css" }];
      next();
    });
    searchRoutes(router, ctx);
    forumFederationRoutes(router, ctx);
    moderationRoutes(router, ctx);
    groupRoutes(router, ctx);
    groupPictureRoutes(router, ctx);
    topicRoutes(router, ctx);
  },
  api(api, ctx) {
    forumFederationApi(api, ctx);
    groupsApi(api, ctx);
    topicsApi(api, ctx);
    moderationApi(api, ctx);
  },
};
