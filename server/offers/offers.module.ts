// The offers module: pages, feeds, API, navigation, home-page block and jobs.
import type { Module } from "../modules/module.ts";
import { STAFF_ROLES } from "../http/auth.ts";
import { searchOffers } from "./catalogue.repo.ts";
import { catalogueRoutes } from "./catalogue.routes.ts";
import { bookingRoutes } from "./booking.routes.ts";
import { feedRoutes } from "./feeds.routes.ts";
import { imageRoutes } from "./images.routes.ts";
import { offersApi } from "./offers.api.ts";
import { cachedCards, cardLabels } from "./offers.view.ts";
import { participantRoutes } from "./participants.routes.ts";
import { staffRoutes } from "./staff.routes.ts";
import { ADMIN_MENU, offersAdminRoutes } from "./admin.routes.ts";
import { offersJobs } from "./offers.jobs.ts";

export const offersModule: Module = {
  name: "offers",
  nav: [
    { href: "/offers", label: "offers:nav.offers" },
    { href: "/staff/offers", label: "offers:nav.staff", roles: STAFF_ROLES },
  ],
  styles: ["/static/offers.css"],
  settings: {
    schema: {
      type: "object",
      properties: {
        // Read by federation/offers/offer-note.ts (issue 16 item 14).
        microblogNotes: {
          type: "boolean",
          title: "offers:settings.microblogNotes",
          description: "offers:settings.microblogNotesHint",
          default: false,
        },
      },
    },
  },
  // Not /offers/:id: its booking form is always rendered fresh.
  cachedPages: ["/offers", "/offers/calendar", "/offers/last-minute"],
  publicRoutes: feedRoutes,
  routes(router, ctx) {
    router.use((_req, res, next) => {
      res.locals.adminMenu = [
        ...((res.locals.adminMenu as object[] | undefined) ?? []),
        ADMIN_MENU,
      ];
      next();
    });
    // Fixed paths (/offers/calendar, /offers/:id.ics) before /offers/:id.
    imageRoutes(router, ctx);
    catalogueRoutes(router, ctx);
    bookingRoutes(router, ctx);
    staffRoutes(router, ctx);
    participantRoutes(router, ctx);
    offersAdminRoutes(router, ctx);
  },
  api: offersApi,
  jobs: offersJobs,
  scheduled: [
    { job: "offers.reminders", everySeconds: 3600 },
    { job: "offers.sweep", everySeconds: 900 },
  ],
  async home(req, ctx) {
    const { items } = await searchOffers(
      ctx.db,
      {},
      { member: req.user !== undefined },
      { limit: 6, offset: 0 },
    );
    return {
      offersHome: { items: cachedCards(ctx.fragments, items, req.lang, req.t) },
      cardLabels: cardLabels(req.t),
    };
  },
};
