// Carpooling between colleagues and families: ride offers and requests, regular or one-off, from
// and to a commune (never an exact address), matched by the distance of their ends and their
// time windows; a ride may go to an activity, whose page then lists "rides to this activity".
// Contact goes through in-app messages until both agree to exchange their details.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { definePlugin } from "../../app/plugin.ts";
import type { SlotFiller } from "../../server/modules/module.ts";
import type { Offer } from "../../server/offers/offers.repo.ts";
import { DEFAULT_TIMEZONE } from "../../server/offers/offers.schemas.ts";
import { ridesApi } from "./covoiturage.api.ts";
import { covoiturageFederation } from "./covoiturage.federation.ts";
import { describe, rideRoutes } from "./covoiturage.routes.ts";
import { closeForAccount, listRides } from "./covoiturage.service.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

const offerRides: SlotFiller = async (req, ctx, subject) => {
  const offer = subject.offer as Offer;
  if (offer.status !== "published" || !req.user) return undefined;
  const items = await listRides(ctx.db, { offerId: offer.id });
  return {
    partial: "covoiturage/offer",
    locals: { offerId: offer.id, items: items.map((r) => describe(req, r)) },
  };
};

export default definePlugin({
  manifest: {
    name: "covoiturage",
    version: "1.0.0",
    api: 1,
    label: { fr: "Covoiturage", en: "Carpooling" },
    description: {
      fr: "Offres et demandes de trajets, réguliers ou ponctuels, de commune à commune ; les meilleurs appariements d'abord ; les trajets vers une activité sur sa page.",
      en: "Ride offers and requests, regular or one-off, from commune to commune; best matches first; rides to an activity on its page.",
    },
    enabledByDefault: false,
  },
  module: {
    name: "covoiturage",
    views: path.join(here, "views"),
    migrations: path.join(here, "migrations"),
    nav: [{ href: "/covoiturage", label: "covoiturage:nav", signedIn: true }],
    settings: {
      schema: {
        type: "object",
        additionalProperties: false,
        properties: {
          showContribution: {
            type: "boolean",
            title: "covoiturage:settings.showContribution",
            default: true,
          },
        },
      },
    },
    routes(router, ctx) {
      router.use("/covoiturage", (_req, res, next) => {
        res.locals.tz = DEFAULT_TIMEZONE;
        res.locals.showContribution =
          ctx.modules.settings("covoiturage").showContribution !== false;
        next();
      });
      rideRoutes(router, ctx);
    },
    api: ridesApi,
    slots: { "offers.offer": offerRides },
    async home(req, ctx) {
      if (!req.user) return {};
      const items = (await listRides(ctx.db, { limit: 3 })).map((r) => describe(req, r));
      return { homeBlock: { partial: "covoiturage/home", locals: { items } } };
    },
    accountClosed: (tx, userId, ctx) => closeForAccount(tx, userId, ctx.ports.covoiturage),
  },
  federation: covoiturageFederation,
});
