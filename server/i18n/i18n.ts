// Message catalogues live beside the views of each feature: views/<feature>/<feature>.<lang>.json.
// Each file is an i18next namespace named after the feature.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type i18n, type TFunction } from "i18next";
import type { Language } from "../accounts/accounts.tables.ts";

export const LANGUAGES: readonly Language[] = ["fr", "en"];
export const DEFAULT_LANGUAGE: Language = "fr";
export const VIEWS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../views");

export type Translate = TFunction;

function loadCatalogues(viewsDir: string) {
  const resources: Record<string, Record<string, unknown>> = {};
  for (const lang of LANGUAGES) resources[lang] = {};
  for (const entry of fs.readdirSync(viewsDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    for (const lang of LANGUAGES) {
      const file = path.join(viewsDir, entry.name, `${entry.name}.${lang}.json`);
      if (fs.existsSync(file)) {
        resources[lang]![entry.name] = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
      }
    }
  }
  return resources;
}

/** Catalogues of views/ and of the modules' own views folders (plugins). */
export async function createI18n(moduleDirs: readonly string[] = []): Promise<i18n> {
  const instance = i18next.createInstance();
  const resources = loadCatalogues(VIEWS_DIR);
  for (const dir of moduleDirs) {
    const more = loadCatalogues(dir);
    for (const lang of LANGUAGES) Object.assign(resources[lang]!, more[lang]);
  }
  await instance.init({
    resources: resources as never,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    ns: Object.keys(resources[DEFAULT_LANGUAGE] ?? {}),
    defaultNS: "common",
    // Handlebars escapes what it prints; escaping here too would double-escape.
    interpolation: { escapeValue: false },
    returnNull: false,
  } as never);
  return instance;
}

/** Picks the best supported language from an Accept-Language header. */
export function negotiateLanguage(header: string | undefined): Language | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(",")
    .map((part) => {
      const [tag = "", ...params] = part.trim().split(";");
      const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
      return { tag: tag.toLowerCase(), q: q ? Number.parseFloat(q.slice(2)) : 1 };
    })
    .filter((entry) => entry.tag !== "" && entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split("-")[0] as Language;
    if (LANGUAGES.includes(base)) return base;
  }
  return undefined;
}

export function isLanguage(value: unknown): value is Language {
  return typeof value === "string" && (LANGUAGES as readonly string[]).includes(value);
}

/** Translates one key; values are interpolated (and select plurals with `count`). */
// getFixedT builds a new function at each call; pages translate hundreds of strings.
const fixed = new WeakMap<i18n, Map<string, TFunction>>();

export function translate(
  i18n: i18n,
  lang: string,
  key: string,
  values?: Record<string, unknown>,
): string {
  let byLang = fixed.get(i18n);
  if (!byLang) fixed.set(i18n, (byLang = new Map()));
  let t = byLang.get(lang);
  if (!t) byLang.set(lang, (t = i18n.getFixedT(lang)));
  return String(t(key, (values ?? {}) as never));
}
