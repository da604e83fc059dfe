// Playwright (playwright-core) driving Debian's Chromium, with axe-core. Features register the
// pages they add in test/browser/<feature>.pages.ts; the scan also follows same-site links.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import axeCore from "axe-core";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import type { Member } from "../support/accounts.ts";
import { AXE_PAGES } from "../support/env.ts";
import type { TestInstance } from "../support/instance.ts";

export type Role = "anonymous" | "member" | "staff" | "moderator" | "admin";

export interface PageUsers {
  admin: Member;
  staff: Member;
  moderator: Member;
  member: Member;
}

export interface PageEntry {
  path: string;
  as: Role;
  /** Something to do on the page before the scan, e.g. submit a form to show its errors. */
  prepare?: (page: Page) => Promise<void>;
  /** Expected HTTP status of the first load (200 by default). */
  status?: number;
  /** Also scan it at a phone's width (360 px): axe again, and no sideways scroll. */
  phone?: boolean;
}

export type PageSource = (context: {
  instance: TestInstance;
  users: PageUsers;
}) => Promise<PageEntry[]>;

export const CHROMIUM = "/usr/bin/chromium";
const FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM);
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

/** A browser context already logged in as `who` (through the real login form). */
export async function contextFor(
  browser: Browser,
  baseURL: string,
  who?: { email: string; password: string },
  javaScriptEnabled = true,
  width?: number,
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL,
    javaScriptEnabled,
    locale: "fr-FR",
    ...(width ? { viewport: { width, height: 800 } } : {}),
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

export async function loadPageSources(): Promise<PageSource[]> {
  const dir = path.dirname(fileURLToPath(import.meta.url));
  const files = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".pages.ts"))
    // AXE_PAGES=messages,sel scans only those features' pages (and what they link to).
    .filter((f) => !AXE_PAGES || AXE_PAGES.some((name) => f === `${name}.pages.ts`))
    .sort();
  const sources: PageSource[] = [];
  for (const file of files) {
    const module = (await import(path.join(dir, file))) as { pages?: PageSource };
    if (typeof module.pages !== "function")
      throw new Error(`${file} must export pages: PageSource`);
    sources.push(module.pages);
  }
  return sources;
}

const AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

/** Runs in the page, axe-core already evaluated there: the violations, with their nodes' selectors. */
async function runAxe(
  tags: string[],
): Promise<{ id: string; impact: string | null | undefined; targets: string[] }[]> {
  const { axe } = window as unknown as { axe: typeof axeCore };
  const result = await axe.run(document, {
    runOnly: { type: "tag", values: tags },
    resultTypes: ["violations"],
  });
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    targets: v.nodes.map((n) => n.target.join(" ")),
  }));
}

/** Links worth following from a page: same site, GET pages, not downloads or side effects. */
export function followable(href: string, base: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href, base);
  } catch {
    return undefined;
  }
  if (url.origin !== new URL(base).origin) return undefined;
  if (/^\/(static|api|lang|instance\/logo|theme\.css|\.well-known|nodeinfo)/.test(url.pathname))
    return undefined;
  if (/\.(ics|csv|xml|atom|json|png|jpe?g|webp|svg|zip)$/.test(url.pathname)) return undefined;
  if (/\/(feed|logout)(\/|$)/.test(url.pathname)) return undefined;
  if (/^\/notifications\/[0-9a-f-]{36}$/.test(url.pathname)) return undefined; // marks as read
  return url.pathname + url.search;
}

/**
 * Loads one page and checks it: status, `lang`, title, a single `<h1>`, and no serious or
 * critical axe violation (WCAG 2.0/2.1 A and AA, best practices). Returns the problems found and
 * the same-site links worth following.
 */
export async function scanPage(
  context: BrowserContext,
  entry: PageEntry & { crawled?: boolean },
  base: string,
): Promise<{ problems: string[]; links: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  try {
    const response = await page.goto(entry.path);
    const status = response?.status() ?? 0;
    if (!entry.crawled && status !== (entry.status ?? 200))
      problems.push(`status ${status}, expected ${entry.status ?? 200}`);
    if (entry.crawled && status >= 500) problems.push(`status ${status}`);
    if (entry.prepare) await entry.prepare(page);
    // One round trip to the page for both (each costs a little on a loaded machine, 300 times).
    const head = await page.evaluate(() => ({
      lang: document.documentElement.getAttribute("lang"),
      title: document.title,
    }));
    if (!head.lang) problems.push("no lang attribute");
    if (head.title.trim() === "") problems.push("empty <title>");
    const h1 = await page.locator("h1").count();
    if (h1 !== 1) problems.push(`${h1} <h1> elements`);
    // axe-core is evaluated once per page and run in it (axe.run); violations only are detailed,
    // which spares building a selector for every passing node. @axe-core/playwright evaluated the
    // 1.5 MB script two or three times per run and finished each run in a fresh blank page:
    // about half the scan's time (ADR 0166). The pages have no frames for axe to cross.
    await page.evaluate(axeCore.source);
    const axe = async (prefix: string) => {
      const violations = await page.evaluate(runAxe, AXE_TAGS);
      for (const violation of violations) {
        if (violation.impact === "serious" || violation.impact === "critical") {
          const where = violation.targets.slice(0, 3).join(", ");
          problems.push(`${prefix}${violation.id} (${violation.impact}): ${where}`);
        }
      }
    };
    await axe("");
    if (entry.phone) {
      await page.setViewportSize({ width: 360, height: 740 });
      const overflow = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      if (overflow > 0) problems.push(`phone: scrolls sideways by ${overflow} px at 360 px`);
      await axe("phone: ");
    }
    // Phone first: at 360 px nothing may make the page scroll sideways (tables stack, long
    // words wrap). The widest culprit is named to find it quickly.
    await page.setViewportSize({ width: 360, height: 800 });
    const sideways = await page.evaluate(() => {
      const over = document.documentElement.scrollWidth - window.innerWidth;
      if (over <= 0) return undefined;
      let culprit = "";
      for (const el of document.querySelectorAll("body *"))
        if (el.getBoundingClientRect().right > window.innerWidth + 1 && !culprit)
          culprit = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ""}${el.className && typeof el.className === "string" ? `.${el.className.split(" ").join(".")}` : ""}`;
      return `scrolls sideways by ${over} px at 360 px (${culprit})`;
    });
    if (sideways) problems.push(sideways);
    const hrefs = await page.$$eval("a[href]", (links) =>
      links.map((a) => a.getAttribute("href") ?? ""),
    );
    const links = hrefs
      .map((href) => followable(href, base))
      .filter((p): p is string => p !== undefined);
    return { problems, links };
  } finally {
    await page.close();
  }
}
