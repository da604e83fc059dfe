// Solidarity housing: rooms, flat shares and short stays offered or wanted between members (for
// a mobility, a training, a young hire in an expensive city), with dates, a commune, a rent or
// free, and conditions. Contact goes through in-app messages; a listing disappears once taken
// or past its end date.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { definePlugin } from "../../app/plugin.ts";
import { housingApi } from "./logement.api.ts";
import { housingRoutes, label } from "./logement.routes.ts";
import { closeForAccount, listListings } from "./logement.service.ts";

const here = path.dirname(fileURLToPath(import.meta.url));

export default definePlugin({
  manifest: {
    name: "logement",
    version: "1.0.0",
    api: 1,
    label: { fr: "Logement solidaire", en: "Solidarity housing" },
    description: {
      fr: "Offres et demandes de chambre, de colocation ou de court séjour entre membres (mobilité, formation, jeune embauché) ; contact par la messagerie.",
      en: "Offers and requests of a room, a flat share or a short stay between members (mobility, training, young hire); contact through messages.",
    },
    enabledByDefault: false,
  },
  module: {
    name: "logement",
    views: path.join(here, "views"),
    migrations: path.join(here, "migrations"),
    nav: [{ href: "/logement", label: "logement:nav", signedIn: true }],
    settings: {
      schema: {
        type: "object",
        additionalProperties: false,
        properties: {
          maxDays: {
            type: "integer",
            title: "logement:settings.maxDays",
            default: 365,
            minimum: 1,
            maximum: 1095,
          },
        },
      },
    },
    routes: housingRoutes,
    api: housingApi,
    async home(req, ctx) {
      if (!req.user) return {};
      const items = (await listListings(ctx.db, { limit: 3 })).map((l) => label(req, l));
      return { homeBlock: { partial: "logement/home", locals: { items } } };
    },
    accountClosed: (tx, userId) => closeForAccount(tx, userId),
  },
});
