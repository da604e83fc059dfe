// Every page of the offers feature, with the data it needs, for the axe accessibility scan.
import { issueApiToken } from "../../server/accounts/accounts.service.ts";
import { addFamilyMember } from "../../server/members/members.service.ts";
import { register } from "../../server/offers/registrations.service.ts";
import { saveReview } from "../../plugins/reviews/reviews.service.ts";
import { DAY, makeOffer } from "../offers/support.ts";
import type { Page } from "playwright-core";
import type { PageSource } from "./harness.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";

/** Submits the page's main form as it is, to show its errors. */
async function submitForm(page: Page, form: string) {
  await Promise.all([page.waitForLoadState("load"), page.click(`${form} button[type=submit]`)]);
}

export const pages: PageSource = async ({ instance, users }) => {
  const staffId = users.staff.user.id;
  const deps = bookingDeps(instance.ctx);
  const offer = await makeOffer(instance, staffId, {
    title: "Séjour de ski à Chamrousse",
    category: "sejours",
    postalCode: "38410",
    city: "Chamrousse",
    minAge: 6,
    maxPersonsPerRegistration: 4,
    description: "<p>Hébergement en chalet, <strong>forfaits compris</strong>.</p>",
    priceTiers: [
      { upTo: 8000, price: 9000 },
      { upTo: null, price: 18000 },
    ],
  });
  const full = await makeOffer(instance, staffId, { title: "Soirée théâtre", capacity: 1 });
  const past = await makeOffer(instance, staffId, { title: "Balade en raquettes" });
  const draft = await makeOffer(instance, staffId, { title: "Brouillon d'atelier" }, false);
  await addFamilyMember(instance.ctx.db, users.member.user.id, {
    firstName: "Léa",
    relation: "child",
    birthYear: new Date().getFullYear() - 9,
  });
  await instance.ctx.transaction(async (tx) => {
    for (const id of [full.id, past.id])
      await register(tx, deps, {
        offerId: id,
        participant: { kind: "local", userId: users.member.user.id },
        persons: { count: 1 },
      });
    await register(tx, deps, {
      offerId: full.id,
      participant: { kind: "local", userId: users.moderator.user.id },
      persons: { count: 1 },
    });
  });
  // The walk in the snow is over, and reviewed.
  await instance.ctx.db
    .updateTable("offers")
    .set({ starts_at: new Date(Date.now() - 2 * DAY), ends_at: new Date(Date.now() - DAY) })
    .where("id", "=", past.id)
    .execute();
  await saveReview(instance.ctx.db, {
    offerId: past.id,
    userId: users.member.user.id,
    rating: 5,
    comment: "Très belle journée",
  });
  await issueApiToken(instance.ctx.db, users.member.user.id, "scan");

  const month = new Date(Date.now() + 10 * DAY).toISOString().slice(0, 7);
  return [
    { path: "/", as: "anonymous" },
    { path: "/offers", as: "anonymous" },
    { path: "/offers?q=ski&near=38000&radius=50&available=true", as: "member" },
    { path: "/offers?near=99999", as: "anonymous" },
    { path: `/offers/calendar?month=${month}`, as: "anonymous" },
    { path: "/offers/last-minute", as: "member" },
    { path: `/offers/${offer.id}`, as: "anonymous" },
    { path: `/offers/${offer.id}`, as: "member" },
    {
      path: `/offers/${offer.id}`,
      as: "member",
      // Nobody ticked: the booking is refused with an error summary.
      prepare: async (page) => {
        await page.uncheck("#self");
        await submitForm(page, `form[action$="/register"]`);
      },
    },
    { path: `/offers/${full.id}`, as: "member" },
    { path: `/offers/${past.id}`, as: "member" },
    { path: `/offers/${past.id}`, as: "moderator" },
    { path: "/offers/mine", as: "member" },
    { path: "/offers/alerts", as: "member" },
    { path: "/staff/offers", as: "staff" },
    { path: "/staff/offers/new", as: "staff" },
    {
      path: "/staff/offers/new",
      as: "staff",
      prepare: (page) => submitForm(page, "form.offer-form"),
    },
    { path: `/staff/offers/${offer.id}/edit`, as: "staff" },
    { path: `/staff/offers/${draft.id}/edit`, as: "staff" },
    { path: `/staff/offers/${full.id}/participants`, as: "staff" },
    { path: `/staff/offers/${full.id}/message`, as: "staff" },
    { path: `/staff/offers/${offer.id}/cancel`, as: "staff" },
    { path: "/admin/offers", as: "admin" },
  ];
};
