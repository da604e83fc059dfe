// Solidarity housing in the JSON API: the available listings and publishing one.
import { PUBLISHED_RESPONSES, publishedOrRefused } from "../../server/lib/listing-api.ts";
import type { ApiRegistry } from "../../server/api/api-registry.ts";
import type { AppContext } from "../../server/context.ts";
import { housingInput, maxDays } from "./logement.routes.ts";
import * as housing from "./logement.service.ts";

const LISTING = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    kind: { type: "string", enum: ["offer", "request"] },
    housing: { type: "string", enum: [...housing.HOUSING] },
    purpose: { type: "string", enum: [...housing.PURPOSES] },
    title: { type: "string" },
    fromDate: { type: "string", format: "date" },
    toDate: { type: ["string", "null"], format: "date" },
    commune: { type: "string" },
    postalCode: { type: "string" },
    rentCents: { type: "integer", description: "0 when free" },
    conditions: { type: "string" },
    author: { type: "string" },
  },
} as const;

export function housingApi(api: ApiRegistry, ctx: AppContext): void {
  api.add<unknown, { kind?: "offer" | "request"; housing?: "room" | "flatshare" | "short_stay" }>({
    method: "get",
    path: "/logement",
    summary: "Available housing offers and requests (logement plugin)",
    tags: ["logement"],
    auth: "user",
    query: {
      properties: {
        kind: { type: "string", enum: ["offer", "request"] },
        housing: { type: "string", enum: [...housing.HOUSING] },
      },
    },
    responses: { 200: { description: "Listings", schema: { type: "array", items: LISTING } } },
    async handler(req, res) {
      const items = await housing.listListings(ctx.db, req.validQuery);
      res.json(
        items.map((l) => ({
          id: l.id,
          kind: l.kind,
          housing: l.housing,
          purpose: l.purpose,
          title: l.title,
          fromDate: l.from_date,
          toDate: l.to_date,
          commune: l.commune,
          postalCode: l.postal_code,
          rentCents: l.rent_cents,
          conditions: l.conditions,
          author: l.author,
        })),
      );
    },
  });

  api.add<Record<string, string>>({
    method: "post",
    path: "/logement",
    summary: "Publish a housing offer or request (logement plugin)",
    tags: ["logement"],
    auth: "user",
    body: {
      type: "object",
      required: ["kind", "housing", "purpose", "title", "fromDate", "place"],
      additionalProperties: false,
      properties: {
        kind: { type: "string", enum: ["offer", "request"] },
        housing: { type: "string", enum: [...housing.HOUSING] },
        purpose: { type: "string", enum: [...housing.PURPOSES] },
        title: { type: "string", minLength: 3, maxLength: 120 },
        description: { type: "string", maxLength: 3000 },
        conditions: { type: "string", maxLength: 1000 },
        fromDate: { type: "string", format: "date" },
        toDate: { type: "string", format: "date" },
        place: { type: "string", maxLength: 60, description: "A postal code or a commune" },
        rent: {
          type: "string",
          pattern: "^[0-9]{1,4}([.,][0-9]{1,2})?$",
          description: "Euros a month; empty or 0 when free",
        },
      },
    },
    responses: PUBLISHED_RESPONSES,
    async handler(req, res) {
      const created = await ctx.transaction((tx) =>
        housing.createListing(tx, req.apiUser!.id, housingInput(req.body), maxDays(ctx)),
      );
      res.status(201).json(publishedOrRefused("logement", created));
    },
  });
}
