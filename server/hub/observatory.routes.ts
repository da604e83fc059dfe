// The observatory (ADR 0123): on the hub, the network's figures as a page (charts drawn as SVG on
// the server, each with its table), CSV and JSON downloads with their schema, a licence, and a
// DCAT description a data portal can index; on every instance, its admin's page for its own
// offers (the year's "bilan des activités").
import type express from "express";
import { stringify } from "csv-stringify/sync";
import type { AppContext } from "../context.ts";
import { requireRole } from "../http/auth.ts";
import {
  CSV_COLUMNS,
  SMALL_CELL,
  TABLE_SCHEMA,
  monthTotals,
  observatoryRows,
  type ObservatoryRow,
} from "./observatory.repo.ts";
import { SHARED_SCHEMA, sharedRows } from "./shared.repo.ts";

export const LICENCE = {
  name: "Licence Ouverte / Open Licence 2.0 (Etalab)",
  url: "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
};

const yearOf = (req: express.Request): number | undefined => {
  const y = Number(req.query.year);
  return Number.isInteger(y) && y >= 2000 && y <= 2100 ? y : undefined;
};

function csvOf(rows: readonly ObservatoryRow[]): string {
  return stringify(
    rows.map((r) => [
      r.territory,
      r.territoryName,
      r.category,
      r.month,
      r.offers,
      r.cancelled,
      r.placesOffered,
      r.placesFilled ?? "",
    ]),
    { header: true, columns: [...CSV_COLUMNS] },
  );
}

/** Bars of a chart, as numbers the template draws (no client code). */
function bars(totals: ReturnType<typeof monthTotals>) {
  const max = Math.max(1, ...totals.map((t) => t.offers));
  return totals.map((t, i) => ({ ...t, y: i * 28, width: Math.round((t.offers / max) * 300) }));
}

async function render(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  scope: "own" | "network",
) {
  const settings = await ctx.settings.get();
  const year = yearOf(req);
  const rows = await observatoryRows(
    ctx.db,
    scope,
    { host: ctx.config.publicUrl.host, name: settings.name },
    year,
  );
  const totals = monthTotals(rows);
  const base = scope === "network" ? "/hub/observatory" : "/admin/observatory";
  res.render("hub/observatory", {
    title: req.t(scope === "network" ? "hub:observatory.title" : "hub:observatory.ownTitle"),
    section: "observatory",
    admin: scope === "own",
    year,
    rows,
    bars: bars(totals),
    chartHeight: Math.max(28, totals.length * 28),
    smallCell: SMALL_CELL,
    licence: LICENCE,
    csv: `${base}.csv${year ? `?year=${year}` : ""}`,
    json: scope === "network" ? `/hub/observatory.json${year ? `?year=${year}` : ""}` : undefined,
    dataset: scope === "network" ? "/hub/observatory/dataset.jsonld" : undefined,
    sharedCsv: scope === "network" ? "/hub/observatory/shared.csv" : undefined,
    sharedJson: scope === "network" ? "/hub/observatory/shared.json" : undefined,
    shared:
      scope === "network"
        ? (await sharedRows(ctx.db)).map((r) => ({
            ...r,
            measure: req.t(`hub:observatory.measures.${r.measure}`),
          }))
        : undefined,
  });
}

export function observatoryPublicRoutes(router: express.Router, ctx: AppContext): void {
  if (!ctx.config.hub) return;
  const own = async () => ({
    host: ctx.config.publicUrl.host,
    name: (await ctx.settings.get()).name,
  });
  router.get("/hub/observatory.csv", async (req, res) => {
    const rows = await observatoryRows(ctx.db, "network", await own(), yearOf(req));
    res.type("text/csv; charset=utf-8").attachment("observatoire.csv").send(csvOf(rows));
  });
  router.get("/hub/observatory.json", async (req, res) => {
    const rows = await observatoryRows(ctx.db, "network", await own(), yearOf(req));
    res.json({
      licence: LICENCE,
      schema: TABLE_SCHEMA,
      smallCellThreshold: SMALL_CELL,
      rows: rows.map((r) => ({
        territory: r.territory,
        territory_name: r.territoryName,
        category: r.category,
        month: r.month,
        offers: r.offers,
        cancelled: r.cancelled,
        places_offered: r.placesOffered,
        places_filled: r.placesFilled,
      })),
    });
  });
  // What the members that agreed share (ADR 0125): every cell counts 5 or more.
  router.get("/hub/observatory/shared.json", async (_req, res) => {
    res.json({
      licence: LICENCE,
      schema: SHARED_SCHEMA,
      smallCellThreshold: SMALL_CELL,
      rows: await sharedRows(ctx.db),
    });
  });
  router.get("/hub/observatory/shared.csv", async (_req, res) => {
    const rows = await sharedRows(ctx.db);
    res
      .type("text/csv; charset=utf-8")
      .attachment("observatoire-partage.csv")
      .send(
        stringify(
          rows.map((r) => [r.host, r.month, r.category, r.measure, r.value]),
          { header: true, columns: SHARED_SCHEMA.fields.map((f) => f.name) },
        ),
      );
  });
  router.get("/hub/observatory/dataset.jsonld", async (_req, res) => {
    const at = (path: string) => new URL(path, ctx.config.publicUrl).href;
    const { name } = await own();
    res.type("application/ld+json").send(
      JSON.stringify({
        "@context": {
          dcat: "http://www.w3.org/ns/dcat#",
          dct: "http://purl.org/dc/terms/",
          foaf: "http://xmlns.com/foaf/0.1/",
        },
        "@id": at("/hub/observatory/dataset.jsonld"),
        "@type": "dcat:Dataset",
        "dct:title": "Observatoire des activités sociales du réseau",
        "dct:description":
          "Activités proposées par les CMCAS du réseau, par territoire, catégorie et mois : offres publiées, places offertes et réservées, annulations. Les cellules de moins de 5 personnes sont masquées.",
        "dct:publisher": { "@type": "foaf:Organization", "foaf:name": name },
        "dct:license": { "@id": LICENCE.url },
        "dct:modified": new Date().toISOString(),
        "dct:language": "fr",
        "dcat:landingPage": { "@id": at("/hub/observatory") },
        "dcat:distribution": [
          {
            "@type": "dcat:Distribution",
            "dcat:downloadURL": { "@id": at("/hub/observatory.csv") },
            "dcat:mediaType": "text/csv",
            "dct:conformsTo": { "@id": at("/hub/observatory.json") },
          },
          {
            "@type": "dcat:Distribution",
            "dcat:downloadURL": { "@id": at("/hub/observatory.json") },
            "dcat:mediaType": "application/json",
          },
          // The figures the members that agreed share (ADR 0125), in both formats.
          {
            "@type": "dcat:Distribution",
            "dct:title": "Indicateurs partagés par les CMCAS volontaires",
            "dcat:downloadURL": { "@id": at("/hub/observatory/shared.csv") },
            "dcat:mediaType": "text/csv",
            "dct:conformsTo": { "@id": at("/hub/observatory/shared.json") },
          },
          {
            "@type": "dcat:Distribution",
            "dct:title": "Indicateurs partagés par les CMCAS volontaires",
            "dcat:downloadURL": { "@id": at("/hub/observatory/shared.json") },
            "dcat:mediaType": "application/json",
          },
        ],
      }),
    );
  });
}

export function observatoryRoutes(router: express.Router, ctx: AppContext): void {
  const admin = requireRole("admin");
  router.get("/admin/observatory", admin, (req, res) => render(ctx, req, res, "own"));
  router.get("/admin/observatory.csv", admin, async (req, res) => {
    const rows = await observatoryRows(
      ctx.db,
      "own",
      { host: ctx.config.publicUrl.host, name: (await ctx.settings.get()).name },
      yearOf(req),
    );
    res.type("text/csv; charset=utf-8").attachment("bilan-des-activites.csv").send(csvOf(rows));
  });
  if (ctx.config.hub)
    router.get("/hub/observatory", (req, res) => render(ctx, req, res, "network"));
}
