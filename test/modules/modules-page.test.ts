// The Modules page in a browser: it passes the axe scan with plugins on, off and broken, with a
// settings form drawn from a JSON Schema, showing its errors, in French and in English. (Its
// forms are plain POSTs: test/modules/plugins.test.ts uses them without a browser.)
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, BrowserContext } from "playwright-core";
import { PLUGINS_DIR } from "../../app/plugins.ts";
import { createMember, type Member } from "../support/accounts.ts";
import { SKIP_BROWSER_SUITE } from "../support/env.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import { chromiumAvailable, contextFor, launch, scanPage } from "../browser/harness.ts";

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures/plugins");

describe("browser: the Modules page", function () {
  this.timeout(120_000);
  let instance: TestInstance;
  let browser: Browser;
  let admin: Member;
  let context: BrowserContext;

  before(async function () {
    if (SKIP_BROWSER_SUITE || !chromiumAvailable()) this.skip();
    instance = await startTestInstance({ pluginDirs: [PLUGINS_DIR, FIXTURES] });
    admin = await createMember(instance, "admin");
    browser = await launch();
    context = await contextFor(browser, instance.url, admin);
  });
  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  it("switches a plugin on with its form, and passes axe with its settings and their errors", async () => {
    const page = await context.newPage();
    await page.goto("/admin/modules");
    await Promise.all([
      page.waitForNavigation(),
      page.click('form[action="/admin/modules/greetings"] button'),
    ]);
    assert.equal(await page.locator("#field-greetings\\.salutation").count(), 1);
    await page.close();

    for (const lang of ["fr", "en"]) {
      await context.addCookies([{ name: "lang", value: lang, url: instance.url }]);
      const plain = await scanPage(context, { path: "/admin/modules", as: "admin" }, instance.url);
      assert.deepEqual(plain.problems, [], `${lang}: ${plain.problems.join("; ")}`);
      const refused = await scanPage(
        context,
        {
          path: "/admin/modules",
          as: "admin",
          prepare: async (p) => {
            await p.fill("#field-greetings\\.repeat", "9");
            await Promise.all([
              p.waitForNavigation(),
              p.click('form[action="/admin/modules/greetings/settings"] button'),
            ]);
            assert.equal(await p.locator(".error-summary").count(), 1);
          },
        },
        instance.url,
      );
      assert.deepEqual(refused.problems, [], `${lang}: ${refused.problems.join("; ")}`);
    }
  });
});
