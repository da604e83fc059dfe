// The services exchange in the JSON API: listings, my balance and history, proposing and
// confirming an exchange.
import type { ApiRegistry } from "../../server/api/api-registry.ts";
import type { AppContext } from "../../server/context.ts";
import { HttpError } from "../../server/http/errors.ts";
import * as listings from "./sel.listings.ts";
import * as ledger from "./sel.ledger.ts";
import { lowerLimitMinutes } from "./sel.routes.ts";

const LISTING = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    kind: { type: "string", enum: ["offer", "want"] },
    category: { type: "string", enum: [...listings.CATEGORIES] },
    title: { type: "string" },
    description: { type: "string" },
    author: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

export function selApi(api: ApiRegistry, ctx: AppContext): void {
  const deps = { publicUrl: ctx.config.publicUrl };

  api.add<unknown, { kind?: "offer" | "want"; category?: string }>({
    method: "get",
    path: "/sel/listings",
    summary: "Open listings of the services exchange (sel plugin)",
    tags: ["sel"],
    auth: "optional",
    query: {
      properties: {
        kind: { type: "string", enum: ["offer", "want"] },
        category: { type: "string", enum: [...listings.CATEGORIES] },
      },
    },
    responses: {
      200: { description: "Listings", schema: { type: "array", items: LISTING } },
    },
    async handler(req, res) {
      const items = await listings.listListings(ctx.db, req.validQuery);
      res.json(
        items.map((i) => ({
          id: i.id,
          kind: i.kind,
          category: i.category,
          title: i.title,
          description: i.description,
          author: i.author,
          createdAt: i.created_at.toISOString(),
        })),
      );
    },
  });

  api.add({
    method: "get",
    path: "/sel/balance",
    summary: "My balance (minutes) and my exchanges (sel plugin)",
    tags: ["sel"],
    auth: "user",
    responses: {
      200: {
        description: "Balance and history",
        schema: {
          type: "object",
          properties: {
            balanceMinutes: { type: "integer" },
            lowerLimitMinutes: { type: "integer" },
            exchanges: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  id: { type: "string", format: "uuid" },
                  minutes: { type: "integer", description: "Positive when I gave the service" },
                  description: { type: "string" },
                  with: { type: "string" },
                  status: {
                    type: "string",
                    enum: ["proposed", "confirmed", "refused", "cancelled"],
                  },
                  toConfirm: { type: "boolean" },
                },
              },
            },
          },
        },
      },
    },
    async handler(req, res) {
      const userId = req.apiUser!.id;
      const [balance, items] = await Promise.all([
        ledger.balanceOf(ctx.db, userId),
        ledger.history(ctx.db, userId),
      ]);
      res.json({
        balanceMinutes: balance,
        lowerLimitMinutes: lowerLimitMinutes(ctx),
        exchanges: items.map((e) => ({
          id: e.id,
          minutes: e.gave ? e.minutes : -e.minutes,
          description: e.description,
          with: e.other,
          status: e.status,
          toConfirm: e.toConfirm,
        })),
      });
    },
  });

  api.add<{ minutes: number; description: string }>({
    method: "post",
    path: "/sel/listings/:id/exchanges",
    summary: "Propose an exchange about a listing; the other member confirms it (sel plugin)",
    tags: ["sel"],
    auth: "user",
    body: {
      type: "object",
      required: ["minutes", "description"],
      additionalProperties: false,
      properties: {
        minutes: { type: "integer", minimum: 1, maximum: ledger.MAX_MINUTES },
        description: { type: "string", minLength: 3, maxLength: 500 },
      },
    },
    responses: {
      201: {
        description: "Proposed",
        schema: { type: "object", properties: { id: { type: "string", format: "uuid" } } },
      },
      409: { description: "Own or closed listing" },
    },
    async handler(req, res) {
      const done = await ctx.transaction((tx) =>
        ledger.proposeExchange(tx, deps, {
          listingId: String(req.params.id),
          userId: req.apiUser!.id,
          minutes: req.body.minutes,
          description: req.body.description,
        }),
      );
      if (!done.ok) {
        if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
        throw new HttpError(
          done.error === "self" || done.error === "closed" ? 409 : 422,
          `sel:errors.${done.error}`,
        );
      }
      res.status(201).json(done.value);
    },
  });

  api.add<{ accept: boolean }>({
    method: "post",
    path: "/sel/exchanges/:id/decision",
    summary: "Confirm or refuse an exchange proposed to me (sel plugin)",
    tags: ["sel"],
    auth: "user",
    body: {
      type: "object",
      required: ["accept"],
      additionalProperties: false,
      properties: { accept: { type: "boolean" } },
    },
    responses: {
      204: { description: "Recorded" },
      409: { description: "Already decided, proposed by me, or beyond the lower limit" },
    },
    async handler(req, res) {
      const done = await ctx.transaction((tx) =>
        ledger.decideExchange(tx, deps, {
          exchangeId: String(req.params.id),
          userId: req.apiUser!.id,
          accept: req.body.accept,
          lowerLimitMinutes: lowerLimitMinutes(ctx),
        }),
      );
      if (!done.ok) {
        if (done.error === "not_found") throw new HttpError(404, "errors.notFound");
        throw new HttpError(409, `sel:errors.${done.error}`, {
          detail: req.t(`sel:errors.${done.error}`, done.details ?? {}),
        });
      }
      res.status(204).end();
    },
  });
}
