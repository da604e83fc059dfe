// Solidarity housing (plugin logement) for the accessibility scan: switched on, with a listing,
// the form (also in its error state) and the moderation pages.
import { DateTime } from "luxon";
import { createListing } from "../../plugins/logement/logement.service.ts";
import type { PageEntry, PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const { ctx } = instance;
  await ctx.modules.setEnabled("logement", true, null);
  const from = DateTime.now().setZone("Europe/Paris").toISODate()!;
  const created = await ctx.transaction((tx) =>
    createListing(
      tx,
      users.staff.user.id,
      {
        kind: "offer",
        housing: "flatshare",
        purpose: "young_hire",
        title: "Colocation à deux pas du tram",
        description: "Grande chambre meublée.",
        conditions: "Non-fumeur",
        fromDate: from,
        toDate: null,
        place: "38000",
        rentCents: 35000,
      },
      365,
    ),
  );
  if (!created.ok) throw new Error(created.error);
  const id = created.value.id;
  const entries: PageEntry[] = [
    { path: "/logement", as: "member" },
    { path: "/logement?kind=offer&housing=flatshare", as: "member" },
    { path: "/logement/new", as: "member" },
    {
      path: "/logement/new",
      as: "member",
      prepare: async (page) => {
        await page.selectOption("#field-housing", "room");
        await page.selectOption("#field-purpose", "training");
        await page.fill("#field-title", "Chambre");
        await page.fill("#field-place", "Atlantide");
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("main form button[type=submit]"),
        ]);
      },
    },
    { path: `/logement/${id}`, as: "member" },
    { path: `/logement/${id}`, as: "staff" },
    { path: "/logement/moderation", as: "member" },
    { path: "/logement/reports", as: "moderator" },
    { path: `/logement/${id}/report`, as: "member" },
    { path: `/logement/${id}/moderate`, as: "moderator" },
  ];
  // Phone first: each page is also scanned at 360 px.
  return entries.map((e) => ({ ...e, phone: true }));
};
