import assert from "node:assert/strict";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, BrowserContext } from "playwright-core";
import { createMember } from "../support/accounts.ts";
import { startTestInstance, type TestInstance } from "../support/instance.ts";
import {
  chromiumAvailable,
  contextFor,
  followable,
  launch,
  loadPageSources,
  type PageEntry,
  type PageUsers,
  type Role,
} from "./harness.ts";

const CRAWL_LIMIT_PER_ROLE = 40;

interface Finding {
  role: Role;
  path: string;
  problems: string[];
}

describe("browser: every page passes the axe scan", function () {
  this.timeout(15 * 60_000);
  let instance: TestInstance;
  let browser: Browser;
  let users: PageUsers;
  const contexts = new Map<Role, BrowserContext>();

  before(async function () {
    if (!chromiumAvailable()) {
      console.warn(
        "Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium): browser suite skipped",
      );
      this.skip();
    }
    instance = await startTestInstance({
      env: { ADMIN_EMAIL: "admin-axe@exemple.fr", ADMIN_PASSWORD: "administrateur sûr" },
    });
    const adminUser = (
      await instance.ctx.db
        .selectFrom("users")
        .select("id")
        .where("email", "=", "admin-axe@exemple.fr")
        .executeTakeFirstOrThrow()
    ).id;
    const { findUserById } = await import("../../server/accounts/accounts.repo.ts");
    users = {
      admin: {
        email: "admin-axe@exemple.fr",
        password: "administrateur sûr",
        username: "admin",
        displayName: "Administration",
        user: (await findUserById(instance.ctx.db, adminUser))!,
      },
      staff: await createMember(instance, "staff"),
      moderator: await createMember(instance, "moderator"),
      member: await createMember(instance, "member"),
    };
    browser = await launch();
    contexts.set("anonymous", await contextFor(browser, instance.url));
    for (const role of ["member", "staff", "moderator", "admin"] as const) {
      contexts.set(role, await contextFor(browser, instance.url, users[role]));
    }
  });

  after(async () => {
    await browser?.close();
    await instance?.destroy();
  });

  it("has no serious or critical violation on any registered or linked page", async () => {
    const entries: PageEntry[] = [];
    for (const source of await loadPageSources())
      entries.push(...(await source({ instance, users })));
    assert.ok(entries.length > 20, "pages are registered");

    const findings: Finding[] = [];
    const seen = new Map<Role, Set<string>>();
    const queue: (PageEntry & { crawled?: boolean })[] = [...entries];
    let scanned = 0;
    while (queue.length > 0) {
      const entry = queue.shift()!;
      const visited = seen.get(entry.as) ?? new Set<string>();
      seen.set(entry.as, visited);
      const key = `${entry.path}${entry.prepare ? "#prepared" : ""}`;
      if (visited.has(key)) continue;
      if (
        entry.crawled &&
        visited.size >= CRAWL_LIMIT_PER_ROLE + entries.filter((e) => e.as === entry.as).length
      )
        continue;
      visited.add(key);
      const page = await contexts.get(entry.as)!.newPage();
      const problems: string[] = [];
      try {
        const response = await page.goto(entry.path);
        const status = response?.status() ?? 0;
        if (!entry.crawled && status !== (entry.status ?? 200))
          problems.push(`status ${status}, expected ${entry.status ?? 200}`);
        if (entry.crawled && status >= 500) problems.push(`status ${status}`);
        if (entry.prepare) await entry.prepare(page);
        const lang = await page.getAttribute("html", "lang");
        if (!lang) problems.push("no lang attribute");
        if ((await page.title()).trim() === "") problems.push("empty <title>");
        const h1 = await page.locator("h1").count();
        if (h1 !== 1) problems.push(`${h1} <h1> elements`);
        const result = await new AxeBuilder({ page })
          .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"])
          .analyze();
        for (const violation of result.violations) {
          if (violation.impact === "serious" || violation.impact === "critical") {
            problems.push(
              `${violation.id} (${violation.impact}): ${violation.nodes
                .map((n) => n.target.join(" "))
                .slice(0, 3)
                .join(", ")}`,
            );
          }
        }
        scanned += 1;
        if (!entry.prepare) {
          for (const href of await page.$$eval("a[href]", (links) =>
            links.map((a) => a.getAttribute("href") ?? ""),
          )) {
            const path = followable(href, instance.url);
            if (path && !visited.has(path)) queue.push({ path, as: entry.as, crawled: true });
          }
        }
      } finally {
        await page.close();
      }
      if (problems.length) findings.push({ role: entry.as, path: entry.path, problems });
    }
    console.log(`      scanned ${scanned} pages (${entries.length} registered)`);
    assert.ok(scanned >= entries.length, `scanned ${scanned} pages`);
    assert.deepEqual(findings, [], `pages with problems:\n${JSON.stringify(findings, null, 2)}`);
  });

  it("signs up and logs in with JavaScript disabled", async () => {
    const context = await contextFor(browser, instance.url, undefined, false);
    try {
      const page = await context.newPage();
      await page.goto("/signup");
      await page.fill("#field-displayName", "Jeanne Sans Script");
      await page.fill("#field-username", "jeanne_sans_js");
      await page.fill("#field-email", "jeanne.sansjs@exemple.fr");
      await page.fill("#field-password", "une phrase bien longue");
      await Promise.all([
        page.waitForURL("**/signup/check-email"),
        page.click("main button[type=submit]"),
      ]);
      assert.match(await page.locator("h1").innerText(), /Vérifiez votre messagerie/);
      const member = await createMember(instance);
      const logged = await contextFor(browser, instance.url, member, false);
      const home = await logged.newPage();
      await home.goto("/me");
      assert.equal(await home.inputValue("#field-username"), member.username);
      await logged.close();
    } finally {
      await context.close();
    }
  });
});
