// The tutorials' pages in Chromium: the printable booklet under print media. Their axe scan,
// desktop and phone, is the site-wide one (tutorials.pages.ts).
import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import { createMember } from "../support/accounts.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { chromiumAvailable, contextFor, launch, type PageUsers } from "./harness.ts";
import { pages } from "./tutorials.pages.ts";

/** A browser context at `width`, signed in as `who` (anonymous without). */
const signedIn = (
  browser: Browser,
  base: string,
  who: { email: string; password: string } | undefined,
  width: number,
): Promise<BrowserContext> => contextFor(browser, base, who, true, width);

describe("browser: tutorials pages", function () {
  this.timeout(10 * 60_000);
  let instance: TestInstance;
  let browser: Browser;
  let users: PageUsers;

  before(async function () {
    if (SKIP_BROWSER_SUITE || !chromiumAvailable()) this.skip();
    instance = await startTestInstance();
    users = {
      admin: await createMember(instance, "admin"),
      staff: await createMember(instance, "staff"),
      moderator: await createMember(instance, "moderator"),
      member: await createMember(instance, "member"),
    };
    browser = await launch();
    // The tutorials the pages file makes (the booklet printed below is one of them).
    await pages({ instance, users });
  });
  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  // The axe scan of these pages, at desktop and phone width with the sideways check, is the
  // site-wide one (axe.test.ts reads tutorials.pages.ts); here, what only these pages do.

  it("prints the booklet: every step and image, no navigation, images within the page", async () => {
    const context = await signedIn(browser, instance.url, undefined, 1280);
    try {
      const page = await context.newPage();
      const guide = await instance.ctx.db
        .selectFrom("tutorials")
        .select("id")
        .where("title", "=", "Semer des radis sur un balcon")
        .executeTakeFirst();
      const id =
        guide?.id ??
        (
          await instance.ctx.db
            .selectFrom("tutorials")
            .select("id")
            .where("title", "=", "Comment écrire un tutoriel")
            .executeTakeFirstOrThrow()
        ).id;
      await page.emulateMedia({ media: "print" });
      await page.goto(`/tutorials/${id}/print`);
      const facts = await page.evaluate(() => {
        const visible = (el: Element) => getComputedStyle(el).display !== "none";
        const body = document.body.getBoundingClientRect().width;
        return {
          steps: [...document.querySelectorAll(".tuto-step")].filter(visible).length,
          images: [...document.querySelectorAll("img")].map((img) => ({
            alt: img.alt,
            loaded: img.complete && img.naturalWidth > 0,
            fits: img.getBoundingClientRect().width <= body + 1,
          })),
          nav: document.querySelectorAll("nav, header, footer, form").length,
          breakInside: getComputedStyle(document.querySelector(".tuto-step")!).breakInside,
        };
      });
      assert.equal(facts.nav, 0);
      assert.ok(facts.steps >= 3, `steps printed: ${facts.steps}`);
      assert.equal(facts.breakInside, "avoid");
      assert.ok(facts.images.length >= 2);
      for (const img of facts.images) {
        assert.ok(img.alt.length > 0);
        await page.waitForFunction(() =>
          [...document.images].every((i) => i.complete && i.naturalWidth > 0),
        );
        assert.ok(img.fits);
      }
      const pdf = await page.pdf({ format: "A4" });
      assert.ok(pdf.subarray(0, 5).toString() === "%PDF-", "Chromium prints it");
    } finally {
      await context.close();
    }
  });
});
