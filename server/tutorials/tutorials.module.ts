// The tutorials module: a library of know-how written by members (steps, images, co-authors),
// its search, printable booklets and the category taxonomy. ADR 0110.
import type { Module } from "../modules/module.ts";
import { ADMIN_MENU, tutorialsAdminRoutes } from "./admin.routes.ts";
import { editorRoutes } from "./editor.routes.ts";
import { tutorialRoutes } from "./tutorials.routes.ts";
import { aroundRoutes } from "./around.routes.ts";
import { offerTutorials } from "./tutorials.slots.ts";
import { feedRoutes } from "./feeds.ts";
import { tutorialsApi } from "./tutorials.api.ts";
import { contestRoutes } from "./contests.routes.ts";
import { contestsApi } from "./contests.api.ts";

export const tutorialsModule: Module = {
  name: "tutorials",
  nav: [{ href: "/tutorials", label: "tutorials:nav" }],
  adminNav: [ADMIN_MENU],
  styles: ["/static/tutorials.css"],
  slots: { "offers.offer": offerTutorials },
  publicRoutes(router, ctx) {
    feedRoutes(router, ctx);
  },
  routes(router, ctx) {
    tutorialsAdminRoutes(router, ctx);
    // Before the tutorial's page, so that /tutorials/new is not read as a tutorial's id.
    contestRoutes(router, ctx);
    editorRoutes(router, ctx);
    aroundRoutes(router, ctx);
    tutorialRoutes(router, ctx);
  },
  api(api, ctx) {
    tutorialsApi(api, ctx);
    contestsApi(api, ctx);
  },
};
