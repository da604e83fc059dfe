// Reviews after an activity: only its participants rate it, once its end date has passed; a
// moderator may hide a review, giving a reason that is logged and shown to its author.
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import { notify } from "../../server/notifications/notifications.service.ts";
import { isUuid } from "../../server/offers/offers.repo.ts";
import "./reviews.tables.ts";

export interface Review {
  id: string;
  userId: string;
  author: string;
  rating: number;
  comment: string;
  hidden: boolean;
  hiddenReason: string | null;
  createdAt: Date;
}

export interface RatingSummary {
  average: number | null;
  count: number;
}

/** A participant: a confirmed registration not marked absent by staff. */
export async function isParticipant(db: Db, offerId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("offer_registrations")
    .select("id")
    .where("offer_id", "=", offerId)
    .where("user_id", "=", userId)
    .where("status", "=", "confirmed")
    .where((eb) => eb.or([eb("attended", "is", null), eb("attended", "=", true)]))
    .executeTakeFirst();
  return row !== undefined;
}

export type ReviewError = "not_found" | "not_ended" | "not_participant";

export async function saveReview(
  db: Db,
  input: { offerId: string; userId: string; rating: number; comment: string },
  now = new Date(),
): Promise<Result<void, ReviewError>> {
  if (!isUuid(input.offerId)) return fail("not_found");
  const offer = await db
    .selectFrom("offers")
    .select(["ends_at", "status"])
    .where("id", "=", input.offerId)
    .executeTakeFirst();
  if (!offer || offer.status === "draft") return fail("not_found");
  if (offer.status === "cancelled" || now < offer.ends_at) return fail("not_ended");
  if (!(await isParticipant(db, input.offerId, input.userId))) return fail("not_participant");
  await db
    .insertInto("offer_reviews")
    .values({
      offer_id: input.offerId,
      user_id: input.userId,
      rating: input.rating,
      comment: input.comment.trim(),
    })
    .onConflict((oc) =>
      oc.columns(["offer_id", "user_id"]).doUpdateSet({
        rating: input.rating,
        comment: input.comment.trim(),
        updated_at: now,
      }),
    )
    .execute();
  return ok(undefined);
}

/** Visible reviews, plus the viewer's own (even hidden, with the reason) and, for moderators,
 * hidden ones. */
export async function listReviews(
  db: Db,
  offerId: string,
  viewer: { userId?: string | undefined; moderator: boolean },
): Promise<Review[]> {
  let query = db
    .selectFrom("offer_reviews as v")
    .innerJoin("users as u", "u.id", "v.user_id")
    .select([
      "v.id",
      "v.user_id",
      "u.display_name",
      "v.rating",
      "v.comment",
      "v.hidden_at",
      "v.hidden_reason",
      "v.created_at",
    ])
    .where("v.offer_id", "=", offerId);
  if (!viewer.moderator)
    query = query.where((eb) =>
      viewer.userId
        ? eb.or([eb("v.hidden_at", "is", null), eb("v.user_id", "=", viewer.userId)])
        : eb("v.hidden_at", "is", null),
    );
  const rows = await query.orderBy("v.created_at", "desc").limit(200).execute();
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    author: r.display_name,
    rating: r.rating,
    comment: r.comment,
    hidden: r.hidden_at !== null,
    hiddenReason: r.hidden_reason,
    createdAt: r.created_at,
  }));
}

export async function ratingSummary(db: Db, offerId: string): Promise<RatingSummary> {
  const row = await db
    .selectFrom("offer_reviews")
    .select([
      sql<number | null>`round(avg(rating)::numeric, 1)::float8`.as("average"),
      (eb) => eb.fn.countAll<number>().as("count"),
    ])
    .where("offer_id", "=", offerId)
    .where("hidden_at", "is", null)
    .executeTakeFirstOrThrow();
  return {
    average: row.average === null ? null : Number(row.average),
    count: Number(row.count),
  };
}

/** Hides (or shows again) a review; the reason is mandatory, logged, and told to the author. */
export async function moderateReview(
  tx: Tx,
  deps: { publicUrl: URL },
  input: { reviewId: string; moderatorId: string; action: "hide" | "show"; reason: string },
): Promise<Result<void, "not_found" | "reason_required">> {
  const reason = input.reason.trim();
  if (reason.length < 3) return fail("reason_required");
  if (!isUuid(input.reviewId)) return fail("not_found");
  const review = await tx.db
    .updateTable("offer_reviews as v")
    .from("offers as o")
    .whereRef("o.id", "=", "v.offer_id")
    .set(
      input.action === "hide"
        ? { hidden_at: new Date(), hidden_reason: reason }
        : { hidden_at: null, hidden_reason: null },
    )
    .where("v.id", "=", input.reviewId)
    .returning(["v.user_id", "v.offer_id", "o.title"])
    .executeTakeFirst();
  if (!review) return fail("not_found");
  await tx.db
    .insertInto("offer_review_moderation")
    .values({
      review_id: input.reviewId,
      moderator_id: input.moderatorId,
      action: input.action,
      reason,
    })
    .execute();
  await notify(tx, deps.publicUrl, {
    userId: review.user_id,
    kind: input.action === "hide" ? "offers:reviewHidden" : "offers:reviewShown",
    data: { offer: review.title, reason },
    link: `/offers/${review.offer_id}#reviews`,
  });
  return ok(undefined);
}

export async function moderationLog(db: Db, offerId: string) {
  return db
    .selectFrom("offer_review_moderation as m")
    .innerJoin("offer_reviews as v", "v.id", "m.review_id")
    .leftJoin("users as u", "u.id", "m.moderator_id")
    .select(["m.review_id", "m.action", "m.reason", "m.created_at", "u.display_name"])
    .where("v.offer_id", "=", offerId)
    .orderBy("m.created_at", "desc")
    .execute();
}

/** Which of these offers the member has reviewed already. */
export async function reviewedAmong(
  db: Db,
  userId: string,
  offerIds: readonly string[],
): Promise<Set<string>> {
  if (offerIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("offer_reviews")
    .select("offer_id")
    .where("user_id", "=", userId)
    .where("offer_id", "in", offerIds)
    .execute();
  return new Set(rows.map((r) => r.offer_id));
}
