// Carpooling (plugin covoiturage) for the accessibility scan: switched on, with an offer and a
// request that match, a ride to an activity (the offer page's section), the form (also in its
// error state) and the moderation pages.
import { DateTime } from "luxon";
import { createRide } from "../../plugins/covoiturage/covoiturage.service.ts";
import { makeOffer } from "../offers/support.ts";
import type { PageEntry, PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const { ctx } = instance;
  await ctx.modules.setEnabled("covoiturage", true, null);
  const date = DateTime.now().setZone("Europe/Paris").plus({ days: 5 }).toISODate()!;
  const offer = await makeOffer(instance, users.staff.user.id, { title: "Journée au lac" });
  const ride = (userId: string, kind: "offer" | "request", offerId: string | null) =>
    ctx.transaction(async (tx) => {
      const created = await createRide(tx, userId, {
        kind,
        days: 0,
        date,
        departMinutes: 480,
        windowMinutes: 30,
        from: "38000",
        to: "38130",
        seats: 3,
        detourKm: 5,
        contributionCents: 300,
        note: "Départ devant la mairie.",
        offerId,
        network: false,
      });
      if (!created.ok) throw new Error(created.error);
      return created.value.id;
    });
  const offered = await ride(users.staff.user.id, "offer", offer.id);
  const requested = await ride(users.member.user.id, "request", null);
  const entries: PageEntry[] = [
    { path: "/covoiturage", as: "member" },
    { path: "/covoiturage?kind=offer", as: "member" },
    { path: "/covoiturage/new", as: "member" },
    {
      path: "/covoiturage/new",
      as: "member",
      prepare: async (page) => {
        await page.fill("#field-from", "Atlantide");
        await page.fill("#field-to", "38000");
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("main form button[type=submit]"),
        ]);
      },
    },
    { path: `/covoiturage/new?offer=${offer.id}`, as: "member" },
    { path: `/covoiturage/${offered}`, as: "member" },
    { path: `/covoiturage/${requested}`, as: "member" },
    { path: `/offers/${offer.id}`, as: "member" },
    { path: "/covoiturage/moderation", as: "member" },
    { path: "/covoiturage/reports", as: "moderator" },
    { path: `/covoiturage/${offered}/report`, as: "member" },
    { path: `/covoiturage/${offered}/moderate`, as: "moderator" },
  ];
  // Phone first: each page is also scanned at 360 px.
  return entries.map((e) => ({ ...e, phone: true }));
};
