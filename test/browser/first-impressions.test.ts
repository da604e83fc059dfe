// What a newcomer sees at 360 and 1280 px: cards with pictures, a one-line header on a phone,
// results before the filters, "M'inscrire" in reach, no sideways scroll; screenshots of the main
// pages are written to test-results/screenshots for a reviewer.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { addImage, prepareImage } from "../../server/offers/images.service.ts";
import { createMember, type Member } from "../support/accounts.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { REPO_ROOT } from "../support/processes.ts";
import { forumMember } from "../forums/helpers.ts";
import { DAY, makeOffer } from "../offers/support.ts";
import { chromiumAvailable, launch } from "./harness.ts";

const SHOTS = path.join(REPO_ROOT, "test-results", "screenshots");
const WIDTHS = [360, 1280] as const;

async function sidewaysScroll(page: Page): Promise<number> {
  return page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
}

describe("browser: first impressions at 360 and 1280 px", function () {
  this.timeout(5 * 60_000);
  let instance: TestInstance;
  let browser: Browser;
  let member: Member;
  const paths: Record<string, string> = {};

  before(async function () {
    if (SKIP_BROWSER_SUITE || !chromiumAvailable()) this.skip();
    instance = await startTestInstance({
      env: { ADMIN_EMAIL: "admin-ux@exemple.fr", ADMIN_PASSWORD: "administrateur sûr" },
    });
    const staff = await createMember(instance, "staff");
    member = await createMember(instance);
    const offers = [];
    for (let i = 0; i < 7; i++)
      offers.push(
        await makeOffer(instance, staff.user.id, {
          title: [
            "Séjour de ski à Chamrousse",
            "Visite du barrage de Grand'Maison",
            "Atelier poterie",
            "Concert au parc",
            "Randonnée au lac Achard",
            "Soirée théâtre",
            "Cours d'aquagym",
          ][i]!,
          startsAt: new Date(Date.now() + (i + 2) * DAY),
          endsAt: new Date(Date.now() + (i + 2) * DAY + 3 * 3600_000),
          priceTiers: i % 2 ? [] : [{ upTo: null, price: 1500 + i * 100 }],
          description:
            "<p>Premier paragraphe.</p><p>Second paragraphe, avec un mot trèslongsansespacequidevraitpasserà laligneplutôtqueélargirlapage_trèslongsansespacequidevraitpasseràlaligne.</p>",
        }),
      );
    const picture = await sharp({
      create: { width: 960, height: 640, channels: 3, background: "#2f7d5b" },
    })
      .png()
      .toBuffer();
    for (const offer of offers.slice(0, 4)) {
      const prepared = await prepareImage(picture);
      assert.ok(prepared.ok);
      await addImage(instance.ctx.db, offer.id, prepared.value, "Un paysage");
    }
    paths.offer = `/offers/${offers[0]!.id}`;
    const owner = await forumMember(instance, "staff");
    const group = await owner.api.post("/groups", {
      name: "Randonneurs du Vercors",
      visibility: "public",
    });
    assert.equal(group.status, 201, group.text);
    const topic = await owner.api.post(`/groups/${group.body.id}/topics`, {
      title: "Sortie du dimanche",
      content: "On part à 8 h.\n\nPrévoir un pique-nique.",
    });
    assert.equal(topic.status, 201, topic.text);
    paths.topic = `/topics/${topic.body.id}`;
    browser = await launch();
    fs.mkdirSync(SHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  async function context(width: number, signedIn: boolean): Promise<BrowserContext> {
    const ctx = await browser.newContext({
      baseURL: instance.url,
      locale: "fr-FR",
      viewport: { width, height: width < 500 ? 800 : 900 },
    });
    if (signedIn) {
      const page = await ctx.newPage();
      await page.goto("/login");
      await page.fill("#field-email", member.email);
      await page.fill("#field-password", member.password);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith("/login")),
        page.click("main button[type=submit]"),
      ]);
      await page.close();
    }
    return ctx;
  }

  for (const width of WIDTHS) {
    it(`shows home, catalogue, offer, topic and profile without sideways scroll at ${width} px, and keeps screenshots`, async () => {
      const ctx = await context(width, true);
      try {
        const page = await ctx.newPage();
        const pages = {
          home: "/",
          catalogue: "/offers",
          offer: paths.offer!,
          topic: paths.topic!,
          profile: "/me",
        };
        for (const [name, url] of Object.entries(pages)) {
          const res = await page.goto(url);
          assert.equal(res?.status(), 200, url);
          assert.ok((await sidewaysScroll(page)) <= 0, `${url} scrolls sideways at ${width} px`);
          await page.screenshot({ path: path.join(SHOTS, `${name}-${width}.png`), fullPage: true });
        }
      } finally {
        await ctx.close();
      }
    });
  }

  it("on a phone: a one-line header, the first result on the first screen, filters folded, M'inscrire in reach", async () => {
    const ctx = await context(360, false);
    try {
      const page = await ctx.newPage();
      await page.goto("/offers");
      const header = await page.locator(".site-header").boundingBox();
      assert.ok(header && header.height <= 70, `header ${header?.height} px high`);
      assert.equal(
        await page.locator("details.more").getAttribute("open"),
        null,
        "other filters folded",
      );
      assert.ok(await page.isVisible("#field-q"), "the keyword box is shown");
      assert.ok(
        !(await page.isVisible("#field-category")),
        "the other filters wait behind Plus de filtres",
      );
      const first = await page.locator(".offer-list .card").first().boundingBox();
      assert.ok(first && first.y < 800, `first result at ${first?.y} px`);
      assert.ok(
        await page.locator(".offer-list .card img").first().isVisible(),
        "cards show the picture",
      );
      assert.match(
        await page.locator(".offer-list .card .date-badge").first().innerText(),
        /\d+\s*\w+/,
      );
      // The menu opens without JavaScript's help (a <details>) and leads to sign-in.
      await page.click(".phone-menu > summary");
      assert.ok(await page.isVisible('.phone-menu__panel a[href="/login"]'));
      // Closed again, as a visitor does before going on (the open menu covers the page).
      await page.click(".phone-menu > summary");
      assert.ok(!(await page.isVisible('.phone-menu__panel a[href="/login"]')));
      // "Plus de filtres" opens, and stays open while a filter is in use.
      await page.click("details.more > summary");
      assert.ok(await page.isVisible("#field-category"));
      await page.goto("/offers?category=loisirs");
      assert.notEqual(await page.locator("details.more").getAttribute("open"), null);

      await page.goto(paths.offer!);
      const bar = page.locator(".offer-action-bar");
      assert.ok(await bar.isVisible(), "the action bar is shown");
      const box = await bar.boundingBox();
      assert.ok(box && box.y + box.height <= 800 + 1 && box.y > 600, `bar at ${box?.y}`);
      await bar.locator("a").click();
      await page.waitForURL(/#field-booking$/);
      assert.ok(await page.isVisible('a[href^="/login?next=/offers/"]'));
    } finally {
      await ctx.close();
    }
  });

  it("on a wide screen: the menu in the header, the booking in view, no phone bar", async () => {
    const ctx = await context(1280, false);
    try {
      const page = await ctx.newPage();
      await page.goto(paths.offer!);
      assert.ok(await page.isVisible(".site-header .main-nav"));
      assert.ok(!(await page.isVisible(".phone-menu")));
      assert.ok(!(await page.isVisible(".offer-action-bar")));
      assert.ok(await page.isVisible('a[href^="/login?next=/offers/"]'));
    } finally {
      await ctx.close();
    }
  });

  it("lists only the days with activities, by weekday, on a phone's calendar, and points past an empty month", async () => {
    const ctx = await context(360, false);
    try {
      const page = await ctx.newPage();
      const month = new Date(Date.now() + 2 * DAY).toISOString().slice(0, 7);
      await page.goto(`/offers/calendar?month=${month}`);
      assert.ok(!(await page.isVisible("table.month")), "no 31-row grid on a phone");
      const days = await page.locator(".month-agenda__label").allInnerTexts();
      assert.ok(days.length >= 1);
      for (const day of days)
        assert.match(day, /^(lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche) \d+ /i);
      assert.ok((await sidewaysScroll(page)) <= 0);
      // A month without activity says where the next ones are.
      const empty = new Date(Date.now() - 400 * DAY).toISOString().slice(0, 7);
      await page.goto(`/offers/calendar?month=${empty}`);
      const next = page.locator(".notice a");
      assert.match(await page.locator(".notice").innerText(), /Prochaines activités en/);
      await next.click();
      assert.ok((await page.locator(".month-agenda__label").count()) >= 1);
      const wide = await browser.newContext({
        baseURL: instance.url,
        locale: "fr-FR",
        viewport: { width: 1280, height: 900 },
      });
      const desk = await wide.newPage();
      await desk.goto(`/offers/calendar?month=${month}`);
      assert.ok(await desk.isVisible("table.month"), "the grid on a wide screen");
      assert.ok(!(await desk.isVisible(".month-agenda")));
      await wide.close();
    } finally {
      await ctx.close();
    }
  });

  it("remembers a member's text size and contrast on every page", async () => {
    for (const width of WIDTHS) {
      const ctx = await context(width, true);
      try {
        const page = await ctx.newPage();
        await page.goto("/me");
        const before = await page.evaluate(() =>
          parseFloat(getComputedStyle(document.documentElement).fontSize),
        );
        await page.check("#text-larger");
        await page.check("#field-highContrast");
        await Promise.all([
          page.waitForResponse((r) => r.url().endsWith("/me/display")),
          page.click('form[action="/me/display"] button[type=submit]'),
        ]);
        await page.goto("/offers");
        await page.goto("/offers");
        const after = await page.evaluate(() =>
          parseFloat(getComputedStyle(document.documentElement).fontSize),
        );
        assert.ok(after > before * 1.2, `text ${before} → ${after}`);
        assert.match((await page.getAttribute("body", "class")) ?? "", /contrast-high/);
        assert.ok(
          (await sidewaysScroll(page)) <= 0,
          `no sideways scroll with large text at ${width}: ${await page.evaluate(() =>
            [...document.querySelectorAll("body *")]
              .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
              .map((e) => e.outerHTML.slice(0, 80))
              .join(" | "),
          )}`,
        );
        await page.goto("/me");
        await page.check("#text-normal");
        await page.uncheck("#field-highContrast");
        await Promise.all([
          page.waitForResponse((r) => r.url().endsWith("/me/display")),
          page.click('form[action="/me/display"] button[type=submit]'),
        ]);
        await page.goto("/offers");
        assert.doesNotMatch(
          (await page.getAttribute("body", "class")) ?? "",
          /contrast-high|text-/,
        );
      } finally {
        await ctx.close();
      }
    }
  });

  it("folds the staff form in sections, keeps coordinates as an option, and offers a toolbar that degrades to the textarea", async () => {
    const staff = await createMember(instance, "staff");
    for (const js of [true, false]) {
      const ctx = await browser.newContext({
        baseURL: instance.url,
        locale: "fr-FR",
        javaScriptEnabled: js,
        viewport: { width: 360, height: 800 },
      });
      try {
        const page = await ctx.newPage();
        await page.goto("/login");
        await page.fill("#field-email", staff.email);
        await page.fill("#field-password", staff.password);
        await Promise.all([
          page.waitForURL((u) => !u.pathname.startsWith("/login")),
          page.click("main button[type=submit]"),
        ]);
        await page.goto("/staff/offers/new");
        assert.equal(await page.locator("details.form-section").count(), 6);
        assert.ok(!(await page.isVisible("#field-latitude")), "coordinates folded");
        assert.ok(!(await page.isVisible("#field-capacity")), "later sections folded");
        assert.ok((await sidewaysScroll(page)) <= 0);
        if (!js) {
          assert.equal(await page.locator(".toolbar").count(), 0);
          assert.ok(await page.isVisible("#field-description"));
          continue;
        }
        await page.fill("#field-description", "Un mot fort");
        await page.evaluate(() => {
          const area = document.querySelector<HTMLTextAreaElement>("#field-description")!;
          area.setSelectionRange(7, 11);
        });
        await page.click(".toolbar__bold");
        assert.equal(await page.inputValue("#field-description"), "Un mot <strong>fort</strong>");
      } finally {
        await ctx.close();
      }
    }
  });
});
