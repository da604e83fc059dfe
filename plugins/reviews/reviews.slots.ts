// What reviews add to the offers' pages: below an offer, its rating, the review form and the
// reviews; on "My activities", the past activities still to review.
import type { SlotFiller } from "../../server/modules/module.ts";
import type { Offer } from "../../server/offers/offers.repo.ts";
import { MODERATOR_ROLES } from "../../server/http/auth.ts";
import { isParticipant, listReviews, ratingSummary, reviewedAmong } from "./reviews.service.ts";

export const offerSection: SlotFiller = async (req, ctx, subject) => {
  const offer = subject.offer as Offer;
  const ended = subject.ended === true;
  const user = req.user;
  const moderator = user !== undefined && MODERATOR_ROLES.includes(user.role);
  const [list, rating] = await Promise.all([
    listReviews(ctx.db, offer.id, { userId: user?.id, moderator }),
    ratingSummary(ctx.db, offer.id),
  ]);
  const canReview =
    user !== undefined &&
    ended &&
    offer.status !== "cancelled" &&
    !list.some((r) => r.userId === user.id) &&
    (await isParticipant(ctx.db, offer.id, user.id));
  return {
    partial: "reviews/offer",
    locals: {
      offer: { id: offer.id },
      reviews: list.map((r) => ({ ...r, own: r.userId === user?.id })),
      rating,
      canReview,
      ended,
      moderator,
      ratings: [5, 4, 3, 2, 1],
    },
  };
};

export const mineSection: SlotFiller = async (req, ctx, subject) => {
  const ended = subject.ended as { offerId: string; title: string }[];
  if (!req.user || ended.length === 0) return undefined;
  const done = await reviewedAmong(
    ctx.db,
    req.user.id,
    ended.map((e) => e.offerId),
  );
  return {
    partial: "reviews/mine",
    locals: { toReview: ended.filter((e) => !done.has(e.offerId)) },
  };
};
