// The tutorials' pages in Chromium: the axe scan at desktop and phone width (no sideways scroll
// at 360 px), and the printable booklet under print media.
import assert from "node:assert/strict";
import type { Browser, BrowserContext } from "playwright-core";
import { createMember } from "../support/accounts.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { chromiumAvailable, launch, scanPage, type PageUsers, type Role } from "./harness.ts";
import { pages } from "./tutorials.pages.ts";

async function signedIn(
  browser: Browser,
  base: string,
  who: { email: string; password: string } | undefined,
  width: number,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: base,
    locale: "fr-FR",
    viewport: { width, height: 800 },
  });
  if (who) {
    const page = await context.newPage();
    await page.goto("/login");
    await page.fill("#field-email", who.email);
    await page.fill("#field-password", who.password);
    await Promise.all([
      page.waitForURL((url) => !url.pathname.startsWith("/login")),
      page.click("main button[type=submit]"),
    ]);
    await page.close();
  }
  return context;
}

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
  });
  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  for (const width of [1280, 360]) {
    it(`passes axe at ${width} px${width === 360 ? ", without sideways scroll" : ""}`, async () => {
      const entries = await pages({ instance, users });
      const contexts = new Map<Role, BrowserContext>();
      const problems: string[] = [];
      try {
        for (const entry of entries) {
          if (!contexts.has(entry.as))
            contexts.set(
              entry.as,
              await signedIn(
                browser,
                instance.url,
                entry.as === "anonymous" ? undefined : users[entry.as],
                width,
              ),
            );
          const context = contexts.get(entry.as)!;
          const result = await scanPage(context, entry, instance.url);
          for (const p of result.problems) problems.push(`${entry.as} ${entry.path}: ${p}`);
          if (width === 360 && !entry.prepare) {
            const page = await context.newPage();
            await page.goto(entry.path);
            const overflow = await page.evaluate(
              () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
            );
            if (overflow > 0) problems.push(`${entry.as} ${entry.path}: ${overflow}px sideways`);
            await page.close();
          }
        }
      } finally {
        for (const context of contexts.values()) await context.close();
      }
      assert.deepEqual(problems, []);
    });
  }

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
