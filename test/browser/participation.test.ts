// The idea box's and participatory budgets' pages in Chromium: the live total of a knapsack
// ballot, and the paper ballot and the results under print media. Their axe scan, desktop and
// phone, is the site-wide one (participation.pages.ts).
import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import { createMember } from "../support/accounts.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { chromiumAvailable, contextFor, launch, type PageUsers } from "./harness.ts";
import { pages } from "./participation.pages.ts";

/** A browser context at `width`, signed in as `who` (anonymous without). */
const signedIn = (
  browser: Browser,
  base: string,
  who: { email: string; password: string } | undefined,
  width: number,
): Promise<BrowserContext> => contextFor(browser, base, who, true, width);

describe("browser: idea box and participatory budgets", function () {
  this.timeout(10 * 60_000);
  let instance: TestInstance;
  let browser: Browser;
  let users: PageUsers;
  let entries: Awaited<ReturnType<typeof pages>>;

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
    entries = await pages({ instance, users });
  });
  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  // The axe scan of these pages, at desktop and phone width with the sideways check, is the
  // site-wide one (axe.test.ts reads the pages file); here, what only these pages do.

  const path = (end: string) => entries.find((e) => e.path.endsWith(end))!.path;

  it("keeps a live total on the knapsack ballot, written as the server writes it", async () => {
    // The total the server writes (JavaScript off, recounted by the server), for the same
    // choices as the script's below: the total must not change form when a box is ticked.
    const plain = await contextFor(browser, instance.url, users.member, false, 390);
    const served: string[] = [];
    try {
      const page = await plain.newPage();
      await page.goto(path("/vote"));
      served.push((await page.textContent("[data-total]"))!);
      await page.check("text=Jardin partagé");
      await page.check("text=Atelier vélo");
      await Promise.all([page.waitForLoadState("load"), page.click("button[name=recount]")]);
      served.push((await page.textContent("[data-total]"))!);
    } finally {
      await plain.close();
    }
    assert.deepEqual(served, [
      "Total choisi : 0 € / 2\u202f000 €",
      "Total choisi : 2\u202f100 € / 2\u202f000 € — au-delà de l'enveloppe",
    ]);
    const context = await signedIn(browser, instance.url, users.member, 390);
    try {
      const page = await context.newPage();
      await page.goto(path("/vote"));
      assert.equal(await page.textContent("[data-total]"), served[0]);
      await page.check("text=Jardin partagé");
      await page.check("text=Atelier vélo");
      assert.equal(await page.textContent("[data-total]"), served[1]);
      await page.uncheck("text=Atelier vélo");
      assert.equal(
        await page.textContent("[data-total]"),
        "Total choisi : 1\u202f200 € / 2\u202f000 €",
      );
    } finally {
      await context.close();
    }
  });

  it("prints the paper ballot and the results: no navigation, no form, boxes to tick", async () => {
    const context = await signedIn(browser, instance.url, undefined, 1280);
    try {
      const page = await context.newPage();
      await page.emulateMedia({ media: "print" });
      await page.goto(path("/bulletin"));
      const facts = await page.evaluate(() => {
        const shown = (sel: string) =>
          [...document.querySelectorAll(sel)].filter((el) => el.getClientRects().length > 0).length;
        const body = document.body.getBoundingClientRect().width;
        return {
          chrome: shown("header, nav, footer, form"),
          boxes: shown(".paper-ballot .box"),
          text: document.querySelector("main")!.textContent ?? "",
          fits: [...document.querySelectorAll("main *")].every(
            (el) => el.getBoundingClientRect().width <= body + 1,
          ),
          breakInside: getComputedStyle(document.querySelector(".paper-ballot li")!).breakInside,
        };
      });
      assert.equal(facts.chrome, 0);
      assert.equal(facts.boxes, 3);
      assert.match(facts.text, /ne doit pas dépasser 2\u202f000 €/);
      assert.match(facts.text, /Vote dans l'enveloppe/);
      assert.ok(facts.fits);
      assert.equal(facts.breakInside, "avoid");
      const pdf = await page.pdf({ format: "A4" });
      assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");

      await page.goto(path("/resultats"));
      const results = await page.evaluate(() => ({
        chrome: [...document.querySelectorAll("header, nav, footer, form")].filter(
          (el) => el.getClientRects().length > 0,
        ).length,
        rows: document.querySelectorAll("table.budget-table tbody tr").length,
      }));
      assert.equal(results.chrome, 0);
      assert.equal(results.rows, 3);
      assert.equal((await page.pdf({ format: "A4" })).subarray(0, 5).toString(), "%PDF-");
    } finally {
      await context.close();
    }
  });
});
