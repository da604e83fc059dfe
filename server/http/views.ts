import fs from "node:fs";
import path from "node:path";
import type express from "express";
import { create } from "express-handlebars";
import type { i18n } from "i18next";
import { translate, VIEWS_DIR } from "../i18n/i18n.ts";
import { formatNumber } from "../i18n/numbers.ts";
import type { FragmentCache } from "../lib/fragment-cache.ts";
import { assetUrl } from "./assets.ts";

interface HelperOptions {
  hash: Record<string, unknown>;
  data: { root: Record<string, unknown> };
}

function langOf(options: HelperOptions): string {
  return typeof options.data.root.lang === "string" ? options.data.root.lang : "fr";
}

function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === "string" || typeof value === "number") {
    const date = new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }
  return undefined;
}

const DATE_STYLES: Record<string, Intl.DateTimeFormatOptions> = {
  date: { dateStyle: "long" },
  short: { dateStyle: "short" },
  datetime: { dateStyle: "full", timeStyle: "short" },
  time: { timeStyle: "short" },
  month: { month: "long", year: "numeric" },
  weekday: { weekday: "long", day: "numeric", month: "long" },
};

interface BlockOptions extends HelperOptions {
  fn(context: unknown): string;
}

export function viewHelpers(i18n: i18n, fragments?: FragmentCache) {
  return {
    t(key: string, options: HelperOptions) {
      return translate(i18n, langOf(options), key, options.hash);
    },
    eq: (a: unknown, b: unknown) => a === b,
    ne: (a: unknown, b: unknown) => a !== b,
    gt: (a: number, b: number) => a > b,
    lt: (a: number, b: number) => a < b,
    and: (...args: unknown[]) => args.slice(0, -1).every(Boolean),
    or: (...args: unknown[]) => args.slice(0, -1).some(Boolean),
    not: (a: unknown) => !a,
    includes: (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value),
    lookupError(errors: Record<string, string> | undefined, field: string) {
      return errors?.[field];
    },
    /** `{{date value "datetime" tz="Europe/Paris"}}` in the page's language. */
    date(value: unknown, style: unknown, options: HelperOptions) {
      const date = toDate(value);
      if (!date) return "";
      const format =
        typeof style === "string" ? (DATE_STYLES[style] ?? DATE_STYLES.date) : DATE_STYLES.date;
      // The instance's one time zone (TIMEZONE), never the server's: the same moment reads the
      // same on every page.
      const root = options.data.root.timeZone;
      const timeZone =
        typeof options.hash.tz === "string"
          ? options.hash.tz
          : typeof root === "string"
            ? root
            : "Europe/Paris";
      return new Intl.DateTimeFormat(langOf(options) === "en" ? "en-GB" : "fr-FR", {
        ...format,
        timeZone,
      }).format(date);
    },
    isoDate(value: unknown) {
      return toDate(value)?.toISOString() ?? "";
    },
    /** `{{number amount}}`, and `envelope=(number amount)` inside a translation's values. */
    number(value: unknown, options: HelperOptions) {
      return typeof value === "number" ? formatNumber(value, langOf(options)) : "";
    },
    concat: (...args: unknown[]) => args.slice(0, -1).join(""),
    /** The first letter of a name, for an avatar when there is no picture. */
    initial: (name: unknown) =>
      typeof name === "string" ? ([...name.trim()][0] ?? "?").toLocaleUpperCase("fr") : "?",
    array: (...args: unknown[]) => args.slice(0, -1),
    /** `{{asset "/static/x.css"}}`: the file's fingerprinted address (cached for a year). */
    asset: (href: unknown) => (typeof href === "string" ? assetUrl(href) : ""),
    /**
     * `{{#cached key}}…{{/cached}}`: the block, rendered, is kept under `key` (ADR 0158), which
     * must name everything the block shows. The route looks the key up before building the
     * block's data; here it is only stored. Without a key the block is rendered each time.
     */
    cached(this: unknown, key: unknown, options: BlockOptions) {
      const html = options.fn(this);
      if (typeof key === "string" && key && fragments) fragments.set(key, html);
      return html;
    },
  };
}

/** Each feature may keep partials in views/<feature>/partials, used as {{> feature/name}}. */
/** Modules outside views/ (plugins) bring a folder laid out the same way. */
function partialDirs(moduleDirs: readonly string[]) {
  const dirs: { dir: string; namespace?: string }[] = [{ dir: path.join(VIEWS_DIR, "partials") }];
  for (const root of [VIEWS_DIR, ...moduleDirs]) {
    for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
      const dir = path.join(root, entry.name, "partials");
      if (entry.isDirectory() && entry.name !== "partials" && fs.existsSync(dir)) {
        dirs.push({ dir, namespace: entry.name });
      }
    }
  }
  return dirs;
}

export function setupViews(
  app: express.Express,
  i18n: i18n,
  cache: boolean,
  moduleDirs: readonly string[] = [],
  fragments?: FragmentCache,
): void {
  const hbs = create({
    extname: ".hbs",
    defaultLayout: "main",
    layoutsDir: path.join(VIEWS_DIR, "layouts"),
    partialsDir: partialDirs(moduleDirs) as never,
    // Templates read from disk at each render (development) are not kept as fragments either.
    helpers: viewHelpers(i18n, cache ? fragments : undefined),
    // An indented {{> partial}} would otherwise indent every line it prints, including the
    // lines of a <textarea> value, which changes what the member wrote each time it is edited.
    compilerOptions: { preventIndent: true },
  });
  app.engine(".hbs", hbs.engine);
  app.set("view engine", ".hbs");
  app.set("views", [VIEWS_DIR, ...moduleDirs]);
  app.set("view cache", cache);
}
