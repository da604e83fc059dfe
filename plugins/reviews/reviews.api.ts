// The reviews of an offer in the JSON API: its rating and the reviews everyone may read.
import type { ApiRegistry } from "../../server/api/api-registry.ts";
import type { AppContext } from "../../server/context.ts";
import { STAFF_ROLES } from "../../server/http/auth.ts";
import { HttpError } from "../../server/http/errors.ts";
import { findOffer } from "../../server/offers/offers.repo.ts";
import { listReviews, ratingSummary } from "./reviews.service.ts";

const REVIEWS_JSON = {
  type: "object",
  properties: {
    rating: {
      type: "object",
      properties: { average: { type: ["number", "null"] }, count: { type: "integer" } },
    },
    items: {
      type: "array",
      items: {
        type: "object",
        properties: {
          author: { type: "string" },
          rating: { type: "integer" },
          comment: { type: "string" },
          createdAt: { type: "string", format: "date-time" },
        },
      },
    },
  },
} as const;

export function reviewsApi(api: ApiRegistry, ctx: AppContext): void {
  api.add({
    method: "get",
    path: "/offers/:id/reviews",
    summary: "An offer's rating and the reviews of its participants (reviews plugin)",
    tags: ["reviews"],
    auth: "optional",
    responses: { 200: { description: "The rating and reviews", schema: REVIEWS_JSON } },
    async handler(req, res) {
      const offer = await findOffer(ctx.db, String(req.params.id));
      const staff = req.apiUser !== undefined && STAFF_ROLES.includes(req.apiUser.role);
      if (
        !offer ||
        (offer.status === "draft" && !staff) ||
        (offer.visibility !== "public" && !req.apiUser)
      )
        throw new HttpError(404, "errors.notFound");
      const [rating, list] = await Promise.all([
        ratingSummary(ctx.db, offer.id),
        listReviews(ctx.db, offer.id, { moderator: false }),
      ]);
      res.json({
        rating,
        items: list.map((r) => ({
          author: r.author,
          rating: r.rating,
          comment: r.comment,
          createdAt: r.createdAt.toISOString(),
        })),
      });
    },
  });
}
