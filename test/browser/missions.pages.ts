// Volunteering missions (plugin missions) for the accessibility scan: switched on, with a
// mission and its slot, the list (filtered, and with an error), the calendar, the staff's form
// (also in its error state) and the moderation pages.
import { DateTime } from "luxon";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { createMission } from "../../plugins/missions/missions.service.ts";
import type { PageEntry, PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const { ctx } = instance;
  await ctx.modules.setEnabled("missions", true, null);
  const start = DateTime.now()
    .setZone("Europe/Paris")
    .plus({ days: 3 })
    .set({ hour: 14, minute: 0 });
  const created = await ctx.transaction((tx) =>
    createMission(tx, bookingDeps(ctx), users.staff.user.id, {
      title: "Repair café",
      cause: "environment",
      organiser: "SLVie Centre",
      description: "Réparer ensemble petits appareils et vélos.",
      remote: false,
      postalCode: "38000",
      skills: "Bricolage",
      network: false,
      slots: [{ startsAt: start.toJSDate(), durationMinutes: 180, places: 6 }],
    }),
  );
  if (!created.ok) throw new Error("mission refused");
  const id = created.value.id;
  const entries: PageEntry[] = [
    { path: "/missions", as: "anonymous" },
    { path: "/missions?cause=environment&near=38000&km=30&maxHours=4", as: "member" },
    { path: "/missions?near=Atlantide", as: "member", status: 422 },
    { path: `/missions/calendar?month=${start.toFormat("yyyy-MM")}`, as: "member" },
    { path: `/missions/${id}`, as: "member" },
    { path: `/missions/${id}`, as: "anonymous" },
    { path: "/missions/new", as: "staff" },
    {
      path: "/missions/new",
      as: "staff",
      prepare: async (page) => {
        await page.fill("#field-title", "Une mission");
        await page.selectOption("#field-cause", "health");
        await page.fill("#field-organiser", "CMCAS");
        await page.fill("#field-postalCode", "00000");
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("main form button[type=submit]"),
        ]);
      },
    },
    { path: "/missions/moderation", as: "anonymous" },
    { path: "/missions/reports", as: "moderator" },
    { path: `/missions/${id}/report`, as: "member" },
    { path: `/missions/${id}/moderate`, as: "moderator" },
  ];
  // Phone first: each page is also scanned at 360 px.
  return entries.map((e) => ({ ...e, phone: true }));
};
