// The offer page: what the offer is, the member's booking and the form to book or cancel, and
// what plugins add below it (the slot "offers.offer": reviews). Other modules re-render it with
// their form's errors (OfferPageState).
import type express from "express";
import type { AppContext } from "../context.ts";
import { MODERATOR_ROLES, STAFF_ROLES } from "../http/auth.ts";
import type { FieldError } from "../http/errors.ts";
import { HttpError } from "../http/errors.ts";
import { renderForm } from "../http/forms.ts";
import { listFamily } from "../members/members.repo.ts";
import { findOffer, listImages, type Offer } from "./offers.repo.ts";
import { offerView } from "./offers.view.ts";
import { findActive, lastRefusal, positionOf, remotePosition } from "./registrations.repo.ts";
import type { RegisterError } from "./registrations.service.ts";

export interface OfferPageState {
  errors?: FieldError[];
  values?: object;
  status?: number;
  /** Handed to the slot fillers (a plugin's form shown again with its errors). */
  slot?: Record<string, unknown>;
}

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

/** The offer a request names, as its visitor may see it (404 for a draft, 401 if members-only). */
export function offerPages(ctx: AppContext) {
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
    state: OfferPageState = {},
  ) {
    const user = req.user;
    const now = new Date();
    const moderator = user !== undefined && MODERATOR_ROLES.includes(user.role);
    const [images, mine, family, refusal] = await Promise.all([
      listImages(ctx.db, offer.id),
      user ? findActive(ctx.db, offer.id, { kind: "local", userId: user.id }) : undefined,
      user ? listFamily(ctx.db, user.id) : [],
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
    // What the plugins that are on add below the offer (the reviews), with the state of the form
    // one of them sent when it is shown again.
    const slots = await ctx.modules.fill("offers.offer", req, {
      offer,
      ended,
      moderator,
      state: state.slot,
    });
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
        // Another instance's offer shows its picture through our copy (ADR 0161).
        images: offer.remote?.image ? [offer.remote.image] : images,
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
        slots,
        values: state.values ?? { self: "on" },
        errors: state.errors,
      },
      state.status,
    );
  }

  return { visibleOffer, offerPage };
}
