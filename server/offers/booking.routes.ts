// The offer page and what a member does there: book for themself and their family, cancel,
// review after the activity; moderators hide reviews there too.
import type express from "express";
import type { AppContext } from "../context.ts";
import { MODERATOR_ROLES, requireUser, STAFF_ROLES } from "../http/auth.ts";
import type { FieldError } from "../http/errors.ts";
import { HttpError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import { listFamily } from "../members/members.repo.ts";
import { findOffer, listImages, type Offer } from "./offers.repo.ts";
import { offerView } from "./offers.view.ts";
import { findActive, lastRefusal, positionOf, remotePosition } from "./registrations.repo.ts";
import {
  cancelOwn,
  register,
  type PersonsRequest,
  type RegisterError,
} from "./registrations.service.ts";
import * as reviews from "./reviews.service.ts";
import { bookingDeps } from "./booking.types.ts";

export const REGISTER_STATUS: Record<RegisterError, number> = {
  not_found: 404,
  not_published: 409,
  not_yet_open: 409,
  closed: 409,
  already_registered: 409,
  no_persons: 422,
  too_many_persons: 422,
  unknown_family_member: 422,
  age_unknown: 422,
  too_young: 422,
  too_old: 422,
  not_discoverable: 409,
};

/** The message of a booking refusal, with what the member needs to fix it. */
export function registerMessage(
  t: express.Request["t"],
  error: RegisterError,
  details: Record<string, unknown> | undefined,
  offer?: Pick<Offer, "timezone">,
): string {
  const values: Record<string, unknown> = { ...details };
  if (typeof details?.opensAt === "string")
    values.date = new Intl.DateTimeFormat("fr-FR", {
      dateStyle: "full",
      timeStyle: "short",
      timeZone: offer?.timezone ?? "Europe/Paris",
    }).format(new Date(details.opensAt));
  const key =
    details?.name && (error === "too_young" || error === "too_old" || error === "age_unknown")
      ? `offers:booking.errors.${error}_named`
      : `offers:booking.errors.${error}`;
  return t(key, values);
}

/** What a refusal from another instance's booking rules refers to, from our copy of its offer. */
export const refusalValues = (
  code: string,
  offer: {
    minAge: number | null;
    maxAge: number | null;
    maxPersonsPerRegistration: number;
    registrationOpensAt: Date | null;
  },
) => ({
  age: code === "too_old" ? offer.maxAge : offer.minAge,
  max: offer.maxPersonsPerRegistration,
  ...(offer.registrationOpensAt ? { opensAt: offer.registrationOpensAt.toISOString() } : {}),
});

const arrayOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === "string")
    : typeof value === "string"
      ? [value]
      : [];

export function bookingRoutes(router: express.Router, ctx: AppContext): void {
  const deps = bookingDeps(ctx);

  async function visibleOffer(req: express.Request): Promise<Offer> {
    const offer = await findOffer(ctx.db, String(req.params.id));
    const staff = req.user !== undefined && STAFF_ROLES.includes(req.user.role);
    // An anonymous visitor learns nothing of an offer kept for members (or for the network):
    // it is "not found", as an unknown one, and no session is started for it.
    if (
      !offer ||
      (offer.status === "draft" && !staff) ||
      (offer.visibility !== "public" && !req.user)
    )
      throw new HttpError(404, "errors.notFound");
    return offer;
  }

  async function offerPage(
    req: express.Request,
    res: express.Response,
    offer: Offer,
    state: { errors?: FieldError[]; values?: object; status?: number; reviewErrors?: boolean } = {},
  ) {
    const user = req.user;
    const now = new Date();
    const moderator = user !== undefined && MODERATOR_ROLES.includes(user.role);
    const [images, mine, family, list, rating, refusal] = await Promise.all([
      listImages(ctx.db, offer.id),
      user ? findActive(ctx.db, offer.id, { kind: "local", userId: user.id }) : undefined,
      user ? listFamily(ctx.db, user.id) : [],
      reviews.listReviews(ctx.db, offer.id, { userId: user?.id, moderator }),
      reviews.ratingSummary(ctx.db, offer.id),
      user && offer.remote ? lastRefusal(ctx.db, offer.id, user.id) : undefined,
    ]);
    const position =
      mine?.status !== "waitlisted"
        ? undefined
        : offer.remote
          ? await remotePosition(ctx.db, mine.id)
          : await positionOf(ctx.db, offer.id, mine.seq);
    const ended = now >= offer.endsAt;
    const open =
      offer.status === "published" &&
      !mine &&
      now < offer.startsAt &&
      (!offer.registrationOpensAt || now >= offer.registrationOpensAt) &&
      now < (offer.registrationClosesAt ?? offer.startsAt);
    const canReview =
      user !== undefined &&
      ended &&
      offer.status !== "cancelled" &&
      !list.some((r) => r.userId === user.id) &&
      (await reviews.isParticipant(ctx.db, offer.id, user.id));
    const view = offerView(offer, req.lang, req.t);
    renderForm(
      res,
      "offers/offer",
      ctx.i18n,
      req,
      {
        title: offer.title,
        offer: view,
        remote: offer.remote,
        refusal:
          refusal &&
          registerMessage(req.t, refusal as RegisterError, refusalValues(refusal, offer), offer),
        images,
        headLinks: [
          {
            rel: "alternate",
            type: "text/calendar",
            href: `/offers/${offer.id}.ics`,
            title: req.t("offers:offer.addToCalendar"),
          },
        ],
        staff: user !== undefined && STAFF_ROLES.includes(user.role),
        moderator,
        mine: mine && { ...mine, position },
        canCancel:
          mine !== undefined &&
          (mine.status === "waitlisted" || now < (offer.cancellationDeadline ?? offer.startsAt)) &&
          now < offer.startsAt,
        showOnline: offer.locationKind === "online" && mine?.status === "confirmed",
        open,
        notYetOpen:
          offer.status === "published" &&
          offer.registrationOpensAt !== null &&
          now < offer.registrationOpensAt,
        family,
        askBirthYear: offer.minAge !== null || offer.maxAge !== null,
        reviews: list.map((r) => ({ ...r, own: r.userId === user?.id })),
        rating,
        canReview,
        ended,
        reviewErrors: state.reviewErrors,
        ratings: [5, 4, 3, 2, 1],
        values: state.values ?? { self: "on" },
        errors: state.errors,
      },
      state.status,
    );
  }

  router.get("/offers/:id", async (req, res) => {
    await offerPage(req, res, await visibleOffer(req));
  });

  router.post("/offers/:id/register", requireUser, async (req, res) => {
    const offer = await visibleOffer(req);
    const body = req.body as Record<string, unknown>;
    const birthYear = Number(body.birthYear);
    const persons: PersonsRequest = {
      familyMemberIds: arrayOf(body.family),
      includeSelf: body.self === "on",
      selfBirthYear: Number.isInteger(birthYear) && birthYear > 1900 ? birthYear : undefined,
    };
    const result = await ctx.transaction((tx) =>
      register(tx, deps, {
        offerId: offer.id,
        participant: { kind: "local", userId: req.user!.id },
        persons,
      }),
    );
    if (!result.ok) {
      const field = REGISTER_STATUS[result.error] === 422 ? "persons" : "booking";
      return offerPage(req, res, (await findOffer(ctx.db, offer.id))!, {
        status: REGISTER_STATUS[result.error],
        values: { ...body, family: arrayOf(body.family) },
        errors: [
          {
            field,
            key: "offers:booking.errors.raw",
            values: { message: registerMessage(req.t, result.error, result.details, offer) },
          },
        ],
      });
    }
    // Another instance's offer: booked by its home instance, pending until it answers.
    if (result.value.status === "pending")
      flash(req, "offers:booking.pending", { territory: offer.remote?.territory ?? "" });
    else if (result.value.status === "confirmed")
      flash(req, "offers:booking.confirmed", { count: result.value.persons });
    else flash(req, "offers:booking.waitlisted", { position: result.value.position ?? 1 });
    res.redirect(303, `/offers/${offer.id}`);
  });

  router.post("/offers/:id/cancel", requireUser, async (req, res) => {
    const offer = await visibleOffer(req);
    const result = await ctx.transaction((tx) =>
      cancelOwn(tx, deps, offer.id, { kind: "local", userId: req.user!.id }),
    );
    if (!result.ok) {
      return offerPage(req, res, offer, {
        status: result.error === "not_found" ? 404 : 409,
        errors: [{ field: "booking", key: `offers:booking.errors.${result.error}` }],
      });
    }
    flash(req, "offers:booking.cancelled");
    res.redirect(303, `/offers/${offer.id}`);
  });

  router.post("/offers/:id/reviews", requireUser, async (req, res) => {
    const offer = await visibleOffer(req);
    const body = req.body as Record<string, unknown>;
    const rating = Number(body.rating);
    const comment = typeof body.comment === "string" ? body.comment.slice(0, 2000) : "";
    if (!Number.isInteger(rating) || rating < 1 || rating > 5)
      return offerPage(req, res, offer, {
        status: 422,
        reviewErrors: true,
        values: body,
        errors: [{ field: "rating", key: "offers:reviews.errors.rating" }],
      });
    const result = await reviews.saveReview(ctx.db, {
      offerId: offer.id,
      userId: req.user!.id,
      rating,
      comment,
    });
    if (!result.ok)
      return offerPage(req, res, offer, {
        status: result.error === "not_found" ? 404 : 403,
        reviewErrors: true,
        errors: [{ field: "rating", key: `offers:reviews.errors.${result.error}` }],
      });
    flash(req, "offers:reviews.saved");
    res.redirect(303, `/offers/${offer.id}#reviews`);
  });

  router.post("/offers/:id/reviews/:reviewId/moderate", requireUser, async (req, res) => {
    if (!MODERATOR_ROLES.includes(req.user!.role)) throw new HttpError(403, "errors.forbidden");
    const offer = await visibleOffer(req);
    const body = req.body as Record<string, unknown>;
    const result = await ctx.transaction((tx) =>
      reviews.moderateReview(tx, deps, {
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
        reviewErrors: true,
        errors: [
          { field: `reason-${String(req.params.reviewId)}`, key: "offers:reviews.errors.reason" },
        ],
      });
    }
    flash(req, body.action === "show" ? "offers:reviews.shown" : "offers:reviews.hidden");
    res.redirect(303, `/offers/${offer.id}#reviews`);
  });
}
