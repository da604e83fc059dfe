// Reviews of offers: participants rate an activity once it is over, moderators hide a review with
// a reason told to its author. The worked example of docs/plugins.md: its pages, API route,
// tables and migrations live here; it fills two slots of the offers' pages.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { definePlugin } from "../../app/plugin.ts";
import { reviewsApi } from "./reviews.api.ts";
import { reviewRoutes } from "./reviews.routes.ts";
import { mineSection, offerSection } from "./reviews.slots.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

export default definePlugin({
  manifest: {
    name: "reviews",
    version: "1.0.0",
    api: 1,
    label: { fr: "Avis sur les activités", en: "Activity reviews" },
    description: {
      fr: "Les participants notent et commentent une activité une fois terminée ; la modération peut masquer un avis en donnant la raison à son auteur.",
      en: "Participants rate and comment on an activity once it is over; moderators can hide a review, telling its author why.",
    },
    enabledByDefault: true,
  },
  module: {
    name: "reviews",
    views: path.join(here, "views"),
    migrations: path.join(here, "migrations"),
    styles: ["/static/reviews/reviews.css"],
    static: path.join(here, "static"),
    routes: reviewRoutes,
    api: reviewsApi,
    slots: { "offers.offer": offerSection, "offers.mine": mineSection },
  },
});
