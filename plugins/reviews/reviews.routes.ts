// A participant's review of an offer, and a moderator hiding or showing one again: forms of the
// offer page, which is shown again with the form's errors when one is refused.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { MODERATOR_ROLES, requireUser } from "../../server/http/auth.ts";
import { HttpError } from "../../server/http/errors.ts";
import { flash } from "../../server/http/forms.ts";
import { offerPages } from "../../server/offers/offer.page.ts";
import { moderateReview, saveReview } from "./reviews.service.ts";

export function reviewRoutes(router: express.Router, ctx: AppContext): void {
  const { visibleOffer, offerPage } = offerPages(ctx);
  const deps = { publicUrl: ctx.config.publicUrl };

  router.post("/offers/:id/reviews", requireUser, async (req, res) => {
    const offer = await visibleOffer(req);
    const body = req.body as Record<string, unknown>;
    const rating = Number(body.rating);
    const comment = typeof body.comment === "string" ? body.comment.slice(0, 2000) : "";
    if (!Number.isInteger(rating) || rating < 1 || rating > 5)
      return offerPage(req, res, offer, {
        status: 422,
        values: body,
        errors: [{ field: "rating", key: "reviews:errors.rating" }],
      });
    const result = await saveReview(ctx.db, {
      offerId: offer.id,
      userId: req.user!.id,
      rating,
      comment,
    });
    if (!result.ok)
      return offerPage(req, res, offer, {
        status: result.error === "not_found" ? 404 : 403,
        errors: [{ field: "rating", key: `reviews:errors.${result.error}` }],
      });
    flash(req, "reviews:saved");
    res.redirect(303, `/offers/${offer.id}#reviews`);
  });

  router.post("/offers/:id/reviews/:reviewId/moderate", requireUser, async (req, res) => {
    if (!MODERATOR_ROLES.includes(req.user!.role)) throw new HttpError(403, "errors.forbidden");
    const offer = await visibleOffer(req);
    const body = req.body as Record<string, unknown>;
    const result = await ctx.transaction((tx) =>
      moderateReview(tx, deps, {
        reviewId: String(req.params.reviewId),
        moderatorId: req.user!.id,
        action: body.action === "show" ? "show" : "hide",
        reason: typeof body.reason === "string" ? body.reason.slice(0, 1000) : "",
      }),
    );
    if (!result.ok) {
      if (result.error === "not_found") throw new HttpError(404, "errors.notFound");
      return offerPage(req, res, offer, {
        status: 422,
        errors: [{ field: `reason-${String(req.params.reviewId)}`, key: "reviews:errors.reason" }],
      });
    }
    flash(req, body.action === "show" ? "reviews:shown" : "reviews:hidden");
    res.redirect(303, `/offers/${offer.id}#reviews`);
  });
}
