// The services exchange (système d'échange local): members post services offered and wanted;
// an exchange is counted in hours, one hour of any service being one hour, and written once both
// members agreed; each member has a balance and a history, the administrators set the lowest
// balance and read the ledger, which always sums to zero. No money, no prices.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { definePlugin } from "../../app/plugin.ts";
import { DEFAULT_TIMEZONE } from "../../server/offers/offers.schemas.ts";
import { selApi } from "./sel.api.ts";
import { closeForAccount, listListings } from "./sel.listings.ts";
import { selRoutes } from "./sel.routes.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

export default definePlugin({
  manifest: {
    name: "sel",
    version: "1.0.0",
    api: 1,
    label: { fr: "Échange de services", en: "Services exchange" },
    description: {
      fr: "Les membres proposent et demandent des services ; chaque échange est compté en heures, confirmé par les deux, et inscrit dans un registre toujours équilibré.",
      en: "Members offer and ask for services; each exchange is counted in hours, confirmed by both, and written in a ledger that always balances.",
    },
    enabledByDefault: false,
  },
  module: {
    name: "sel",
    views: path.join(here, "views"),
    migrations: path.join(here, "migrations"),
    nav: [{ href: "/sel", label: "sel:nav" }],
    styles: ["/static/sel/sel.css"],
    static: path.join(here, "static"),
    settings: {
      schema: {
        type: "object",
        additionalProperties: false,
        properties: {
          lowerLimitHours: {
            type: "integer",
            title: "sel:settings.lowerLimitHours",
            description: "sel:settings.lowerLimitHint",
            default: 20,
            minimum: 0,
            maximum: 500,
          },
        },
      },
    },
    routes(router, ctx) {
      router.use("/sel", (_req, res, next) => {
        res.locals.tz = DEFAULT_TIMEZONE;
        next();
      });
      selRoutes(router, ctx);
    },
    api: selApi,
    async home(_req, ctx) {
      const items = await listListings(ctx.db, { limit: 3 });
      return { homeBlock: { partial: "sel/home", locals: { items } } };
    },
    accountClosed: (tx, userId) => closeForAccount(tx, userId),
  },
});
