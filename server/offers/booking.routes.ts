// What a member does on the offer page (offer.page.ts): book for themself and their family, or
// cancel. Plugins add their own parts to the page (reviews).
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireUser } from "../http/auth.ts";
import { flash } from "../http/forms.ts";
import { findOffer } from "./offers.repo.ts";
import { cancelOwn, register, type PersonsRequest } from "./registrations.service.ts";
import { bookingDeps } from "./booking.types.ts";
import { offerPages, REGISTER_STATUS, registerMessage } from "./offer.page.ts";

export { REGISTER_STATUS, refusalValues, registerMessage } from "./offer.page.ts";

const arrayOf = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === "string")
    : typeof value === "string"
      ? [value]
      : [];

export function bookingRoutes(router: express.Router, ctx: AppContext): void {
  const deps = bookingDeps(ctx);

  const { visibleOffer, offerPage } = offerPages(ctx);

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
}
