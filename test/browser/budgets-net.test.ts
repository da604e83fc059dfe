// A member instance's page of a network budget in Chromium (ADR 0136, 0137): its printable paper
// ballot under print media holds the organiser's projects, costs, envelope, counting rule and how
// to return it, without navigation, forms or buttons. Their axe scan, desktop and phone, is the
// site-wide one (budgets-net.pages.ts). SCREENSHOTS=dir keeps screenshots at 390 and 1280 px.
import assert from "node:assert/strict";
import path from "node:path";
import type { Browser } from "playwright-core";
import { createMember } from "../support/accounts.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { networkBudgetFixtures } from "./budgets-net.pages.ts";
import { chromiumAvailable, contextFor, launch } from "./harness.ts";

// eslint-disable-next-line no-restricted-properties
const SHOTS = process.env.SCREENSHOTS;

describe("browser: a network budget on a member instance", function () {
  this.timeout(10 * 60_000);
  let instance: TestInstance;
  let browser: Browser;
  let f: Awaited<ReturnType<typeof networkBudgetFixtures>>;

  before(async function () {
    if (SKIP_BROWSER_SUITE || !chromiumAvailable()) this.skip();
    instance = await startTestInstance();
    browser = await launch();
    f = await networkBudgetFixtures(instance);
  });
  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  it("links its page to a paper ballot that prints clean, with the projects and the rule", async () => {
    const context = await contextFor(browser, instance.url, undefined, true, 1280);
    try {
      const page = await context.newPage();
      await page.goto(`/budgets/reseau/${f.open}`);
      await page.click("text=Imprimer le bulletin papier");
      assert.equal(new URL(page.url()).pathname, `/budgets/reseau/${f.open}/bulletin`);
      await page.emulateMedia({ media: "print" });
      const facts = await page.evaluate(() => {
        const shown = (sel: string) =>
          [...document.querySelectorAll(sel)].filter((el) => el.getClientRects().length > 0);
        const body = document.body.getBoundingClientRect().width;
        return {
          chrome: shown("header, nav, footer, form, button, .button").length,
          items: shown(".paper-ballot li").map((li) => li.textContent?.trim() ?? ""),
          boxes: shown(".paper-ballot .box").length,
          text: document.querySelector("main")!.textContent ?? "",
          fits: [...document.querySelectorAll("main *")].every(
            (el) => el.getBoundingClientRect().width <= body + 1,
          ),
          breakInside: getComputedStyle(document.querySelector(".paper-ballot li")!).breakInside,
        };
      });
      assert.equal(facts.chrome, 0, "no navigation, form or button");
      // Costs are grouped by thousands, with whatever space the locale uses.
      const flat = (t: string) => t.replace(/\s+/g, "");
      assert.deepEqual(
        facts.items.map(flat),
        f.projects.map((p) => flat(`${p.title} — ${p.cost} €`)),
      );
      assert.equal(facts.boxes, 3);
      assert.match(facts.text, /ne doit pas dépasser 10\u202f000 €/);
      assert.match(facts.text, /Vote dans l'enveloppe/);
      assert.match(facts.text, /compté par l'organisateur, CCAS — Caisse centrale/);
      assert.match(facts.text, /Votez une seule fois/);
      assert.ok(facts.fits, "nothing wider than the page");
      assert.equal(facts.breakInside, "avoid");
      const pdf = await page.pdf({ format: "A4" });
      assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    } finally {
      await context.close();
    }
  });

  it("shows the ballot before the facts at 390 px, its total written as the server writes it", async () => {
    const member = await createMember(instance, "member");
    const [first, second] = f.projects;
    // The server's total (JavaScript off, recounted by the server) for the choices ticked below.
    const plain = await contextFor(browser, instance.url, member, false, 390);
    const served: string[] = [];
    try {
      const page = await plain.newPage();
      await page.goto(`/budgets/reseau/${f.open}`);
      served.push((await page.textContent("[data-total]"))!);
      await page.check(`#p-${first!.id}`);
      await page.check(`#p-${second!.id}`);
      await Promise.all([
        page.waitForLoadState("load"),
        page.click("main form button[name=recount]"),
      ]);
      served.push((await page.textContent("[data-total]"))!);
    } finally {
      await plain.close();
    }
    assert.deepEqual(served, [
      "Total choisi : 0 € / 10\u202f000 €",
      "Total choisi : 9\u202f500 € / 10\u202f000 €",
    ]);
    const context = await contextFor(browser, instance.url, member, true, 390);
    try {
      const page = await context.newPage();
      await page.goto(`/budgets/reseau/${f.open}`);
      const layout = await page.evaluate(() => ({
        form: document.querySelector("main form[data-ballot]")!.getBoundingClientRect().top,
        facts: document.querySelector(".budget-facts")!.getBoundingClientRect().top,
        sideways: document.documentElement.scrollWidth - document.documentElement.clientWidth,
      }));
      assert.ok(layout.form < layout.facts, "the ballot comes before the facts");
      assert.ok(layout.form < 800, `the ballot starts on the first screen (${layout.form} px)`);
      assert.equal(layout.sideways, 0, "no sideways scroll at 390 px");
      assert.equal(await page.textContent("[data-total]"), served[0]);
      await page.check(`#p-${first!.id}`);
      await page.check(`#p-${second!.id}`);
      assert.equal(await page.textContent("[data-total]"), served[1]);
    } finally {
      await context.close();
    }
  });

  it("keeps screenshots of the pages at 390 and 1280 px when asked", async function () {
    if (!SHOTS) this.skip();
    const member = await createMember(instance, "member");
    for (const width of [390, 1280]) {
      const context = await contextFor(browser, instance.url, member, true, width);
      try {
        const page = await context.newPage();
        for (const [name, url] of [
          ["open", `/budgets/reseau/${f.open}`],
          ["ballot", `/budgets/reseau/${f.open}/bulletin`],
          ["closed", `/budgets/reseau/${f.closed}`],
        ] as const) {
          const res = await page.goto(url);
          assert.equal(res?.status(), 200);
          await page.screenshot({
            path: path.join(SHOTS!, `${name}-${width}.png`),
            fullPage: true,
          });
        }
      } finally {
        await context.close();
      }
    }
  });
});
