// The tutorials module: a library of know-how written by members (steps, images, co-authors),
// its search, printable booklets and the category taxonomy. ADR 0110.
import type { Module } from "../modules/module.ts";
import { ADMIN_MENU, tutorialsAdminRoutes } from "./admin.routes.ts";
import { editorRoutes } from "./editor.routes.ts";
import { tutorialRoutes } from "./tutorials.routes.ts";
import { aroundRoutes } from "./around.routes.ts";
import { offerTutorials } from "./tutorials.slots.ts";
import { feedRoutes } from "./feeds.ts";
import { sentPhotoRoute } from "./tutorials.routes.ts";
import { tutorialsApi } from "./tutorials.api.ts";
import { contestRoutes } from "./contests.routes.ts";
import { contestsApi } from "./contests.api.ts";
import { albumRoutes, albumSection } from "./albums.routes.ts";

export const tutorialsModule: Module = {
  name: "tutorials",
  nav: [{ href: "/tutorials", label: "tutorials:nav" }],
  adminNav: [ADMIN_MENU],
  styles: ["/static/tutorials.css"],
  cachedPages: ["/tutorials", "/tutorials/:id"],
  slots: {
    "offers.offer": async (req, ctx, subject) => {
      // Two blocks below an offer: its album (once ended), then the tutorials taught there.
      const [album, taught] = await Promise.all([
        albumSection(req, ctx, subject),
        offerTutorials(req, ctx, subject),
      ]);
      if (!album && !taught) return undefined;
      return { partial: "tutorials/offer-blocks", locals: { album, taught } };
    },
  },
  publicRoutes(router, ctx) {
    feedRoutes(router, ctx);
    sentPhotoRoute(router, ctx);
  },
  routes(router, ctx) {
    tutorialsAdminRoutes(router, ctx);
    // Before the tutorial's page, so that /tutorials/new is not read as a tutorial's id.
    contestRoutes(router, ctx);
    albumRoutes(router, ctx);
    editorRoutes(router, ctx);
    aroundRoutes(router, ctx);
    tutorialRoutes(router, ctx);
  },
  api(api, ctx) {
    tutorialsApi(api, ctx);
    contestsApi(api, ctx);
  },
};
