// The consultations' pages in Chromium: the printable ballot under print media. Their axe scan,
// desktop and phone, is the site-wide one (consultations.pages.ts).
import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import { createMember } from "../support/accounts.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { chromiumAvailable, contextFor, launch, type PageUsers } from "./harness.ts";
import { pages } from "./consultations.pages.ts";

/** A browser context at `width`, signed in as `who` (anonymous without). */
const signedIn = (
  browser: Browser,
  base: string,
  who: { email: string; password: string } | undefined,
  width: number,
): Promise<BrowserContext> => contextFor(browser, base, who, true, width);

describe("browser: consultations pages", function () {
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
    // The consultations the pages file makes (the ballot printed below is one of them).
    await pages({ instance, users });
  });
  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  // The axe scan of these pages, at desktop and phone width with the sideways check, is the
  // site-wide one (axe.test.ts reads the pages file); here, what only these pages do.

  it("prints the ballot: every question with boxes to tick, no navigation, questions kept whole", async () => {
    const context = await signedIn(browser, instance.url, undefined, 1280);
    try {
      const page = await context.newPage();
      const row = await instance.ctx.db
        .selectFrom("consultations")
        .select("id")
        .where("title", "=", "Les séjours de l'été prochain")
        .executeTakeFirstOrThrow();
      await page.emulateMedia({ media: "print" });
      await page.goto(`/consultations/${row.id}/ballot`);
      const facts = await page.evaluate(() => {
        const body = document.body.getBoundingClientRect().width;
        const boxes = [...document.querySelectorAll(".paper__box")];
        return {
          questions: document.querySelectorAll(".paper__question").length,
          boxes: boxes.length,
          boxesVisible: boxes.every((b) => {
            const s = getComputedStyle(b);
            return (
              s.display !== "none" &&
              s.borderTopStyle === "solid" &&
              b.getBoundingClientRect().width > 10
            );
          }),
          fits: [...document.querySelectorAll("main *")].every(
            (el) => el.getBoundingClientRect().right <= body + 1,
          ),
          nav: document.querySelectorAll("nav, header, footer, form, input, button").length,
          breakInside: getComputedStyle(document.querySelector(".paper__question")!).breakInside,
          rules: document.querySelector(".paper__rules")?.textContent ?? "",
        };
      });
      assert.equal(facts.questions, 5);
      // 2 + 3 + 3 options, and the 5 points of the scale.
      assert.equal(facts.boxes, 13);
      assert.ok(facts.boxesVisible);
      assert.ok(facts.fits);
      assert.equal(facts.nav, 0);
      assert.equal(facts.breakInside, "avoid");
      assert.match(facts.rules, /Le vote est secret/);
      const pdf = await page.pdf({ format: "A4" });
      assert.ok(pdf.length > 1000);
      assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    } finally {
      await context.close();
    }
  });
});
