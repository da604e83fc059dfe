// The national calendar's API (HUB=1): the same query as the page, as JSON.
import type { ApiRegistry } from "../api/api-registry.ts";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { handlers } from "../http/handlers.ts";
import { summaryJson } from "../offers/offers.api.ts";
import { OFFER_SUMMARY_JSON } from "../offers/offers.api-schemas.ts";
import { hubQuery, readHubSearch } from "./calendar.params.ts";
import { hubPage } from "./calendar.routes.ts";

export function hubApi(api: ApiRegistry, ctx: AppContext): void {
  if (!ctx.config.hub) return;
  const on = handlers(ctx);
  api.add<unknown, Record<string, unknown>>({
    method: "get",
    path: "/hub/offers",
    summary:
      "The national calendar: upcoming activities of the hub and its members, soonest first, filtered",
    tags: ["hub"],
    auth: "optional",
    query: {
      properties: {
        ...hubQuery.properties,
        perPage: { type: "integer", minimum: 1, maximum: 100 },
      },
    },
    responses: {
      200: {
        description: "One page of activities (a day, week or month: all of them, up to 1,000)",
        schema: {
          type: "object",
          properties: {
            total: {
              type: "integer",
              description:
                "Matches, counted up to 1,000; with words (`q`), counted up to this page's last row",
            },
            totalCapped: {
              type: "boolean",
              description: "There are more matches than `total` (with words: a next page)",
            },
            hasMore: { type: "boolean" },
            page: { type: "integer" },
            from: { type: "string", format: "date-time" },
            to: { type: ["string", "null"], format: "date-time" },
            items: { type: "array", items: OFFER_SUMMARY_JSON },
          },
        },
      },
    },
    handler: on(async (ctx, req, res) => {
      const search = await readHubSearch(ctx.db, req.query as Record<string, unknown>);
      if (search.errors.length)
        throw new HttpError(400, "errors.validation", {
          fields: search.errors.map((e) => ({ ...e, detail: req.t(e.key) })),
        });
      const page = search.query.page ?? 1;
      const perPage = Number(req.validQuery.perPage ?? 50);
      const result = await hubPage(ctx, search, req.apiUser !== undefined, page, perPage);
      res.json({
        total: result.total,
        totalCapped: result.totalCapped,
        hasMore: result.hasMore,
        page,
        from: search.period.from.toJSDate().toISOString(),
        to: search.period.to ? search.period.to.toJSDate().toISOString() : null,
        items: result.items.map((card) => summaryJson(card, ctx.config.publicUrl)),
      });
    }),
  });
}
