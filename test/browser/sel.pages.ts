// The services exchange (plugin sel) for the accessibility scan: switched on, with a listing, an
// exchange to confirm, the ledger and the moderation pages.
import { createListing } from "../../plugins/sel/sel.listings.ts";
import { proposeExchange } from "../../plugins/sel/sel.ledger.ts";
import type { PageEntry, PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const { ctx } = instance;
  await ctx.modules.setEnabled("sel", true, null);
  const listing = await createListing(ctx.db, users.staff.user.id, {
    kind: "offer",
    category: "lessons",
    title: "Cours de guitare",
    description: "Débutants bienvenus.",
  });
  await ctx.transaction((tx) =>
    proposeExchange(
      tx,
      { publicUrl: ctx.config.publicUrl },
      { listingId: listing.id, userId: users.member.user.id, minutes: 90, description: "Un cours" },
    ),
  );
  const entries: PageEntry[] = [
    { path: "/sel", as: "anonymous" },
    { path: "/sel?kind=offer&category=lessons", as: "member" },
    { path: "/sel/new", as: "member" },
    {
      path: "/sel/new",
      as: "member",
      prepare: async (page) => {
        await page.fill("#field-title", "ab");
        await page.selectOption("#field-category", "diy");
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("main form button[type=submit]"),
        ]);
      },
    },
    { path: `/sel/${listing.id}`, as: "member" },
    { path: `/sel/${listing.id}`, as: "staff" },
    { path: "/sel/exchanges", as: "member" },
    { path: "/sel/exchanges", as: "staff" },
    { path: "/sel/ledger", as: "admin" },
    { path: "/sel/moderation", as: "anonymous" },
    { path: "/sel/reports", as: "moderator" },
    { path: `/sel/${listing.id}/report`, as: "member" },
    { path: `/sel/${listing.id}/moderate`, as: "moderator" },
  ];
  // Phone first: each page is also scanned at 360 px.
  return entries.map((e) => ({ ...e, phone: true }));
};
