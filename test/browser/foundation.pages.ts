import type { Page } from "playwright-core";
import type { PageSource } from "./harness.ts";

async function submitEmpty(page: Page) {
  await Promise.all([page.waitForLoadState("load"), page.click("main form button[type=submit]")]);
}

export const pages: PageSource = async () => [
  { path: "/", as: "anonymous" },
  { path: "/login", as: "anonymous" },
  { path: "/login", as: "anonymous", prepare: submitEmpty },
  { path: "/signup", as: "anonymous" },
  { path: "/signup", as: "anonymous", prepare: submitEmpty },
  { path: "/signup/check-email", as: "anonymous" },
  { path: "/confirm/resend", as: "anonymous" },
  { path: "/confirm/not-a-token", as: "anonymous", status: 400 },
  { path: "/password/forgot", as: "anonymous" },
  { path: "/password/reset/not-a-token", as: "anonymous", status: 400 },
  { path: "/page-that-does-not-exist", as: "anonymous", status: 404 },
  { path: "/", as: "member" },
  { path: "/me", as: "member" },
  {
    path: "/me",
    as: "member",
    prepare: async (page) => {
      await page.fill("#field-username", "Pas Valide !");
      await submitEmpty(page);
    },
  },
  { path: "/me/family", as: "member" },
  { path: "/me/family", as: "member", prepare: submitEmpty },
  { path: "/me/notifications", as: "member" },
  { path: "/me/security", as: "member" },
  { path: "/me/delete", as: "member" },
  { path: "/notifications", as: "member" },
  { path: "/admin", as: "member", status: 403 },
  { path: "/admin", as: "admin" },
  { path: "/admin/settings", as: "admin" },
  { path: "/admin/users", as: "admin" },
  { path: "/admin/invitations", as: "admin" },
  { path: "/admin/slvies", as: "admin" },
  { path: "/admin/jobs", as: "admin" },
];
