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

/**
 * A message compiled once per language and key (ADR 0150): plain text and `{{name}}` holes,
 * plural forms chosen with the language's rules, as i18next chooses them. Anything else (a
 * missing value, nesting, formatting, an option) returns undefined: i18next answers instead.
 */
type Compiled = (values: Record<string, unknown> | undefined) => string | undefined;

const SIMPLE_HOLE = /{{\s*(\w+)\s*}}/g;
const OPTIONS = ["lng", "lngs", "ns", "defaultValue", "context", "ordinal", "returnObjects"];
const PLURALS = ["zero", "one", "two", "few", "many", "other"] as const;
const pluralRules = new Map<string, Intl.PluralRules>();

function template(text: string): Compiled | undefined {
  if (text === "" || text.includes("$t(") || /{{(?!\s*\w+\s*}})/.test(text)) return undefined;
  const parts = text.split(SIMPLE_HOLE);
  if (parts.length === 1) return () => text;
  return (values) => {
    let out = parts[0]!;
    for (let i = 1; i < parts.length; i += 2) {
      const value = values?.[parts[i]!];
      if (typeof value !== "string" && typeof value !== "number") return undefined;
      out += String(value) + parts[i + 1]!;
    }
    return out;
  };
}

function compile(i18n: i18n, lang: string, key: string): Compiled {
  const colon = key.indexOf(":");
  const ns = colon > 0 ? key.slice(0, colon) : "common";
  const path = colon > 0 ? key.slice(colon + 1) : key;
  const forLang = (code: string): Compiled | undefined => {
    const get = (k: string): unknown => i18n.getResource(code, ns, k);
    const base = get(path);
    const forms = new Map<string, Compiled | undefined>();
    for (const form of PLURALS) {
      const text = get(`${path}_${form}`);
      if (typeof text === "string") forms.set(form, template(text));
    }
    const plain = typeof base === "string" ? template(base) : undefined;
    if (typeof base !== "string" && forms.size === 0) return undefined;
    if ((typeof base === "string" && !plain) || [...forms.values()].some((f) => !f))
      return () => undefined;
    if (forms.size === 0) return plain;
    let rules = pluralRules.get(code);
    if (!rules) pluralRules.set(code, (rules = new Intl.PluralRules(code)));
    const chosen = rules;
    return (values) => {
      const count = values?.count;
      if (typeof count !== "number") return plain ? plain(values) : undefined;
      const form =
        (count === 0 ? forms.get("zero") : undefined) ??
        forms.get(chosen.select(count)) ??
        plain ??
        forms.get("other");
      return form?.(values);
    };
  };
  const compiled =
    forLang(lang) ?? (lang === DEFAULT_LANGUAGE ? undefined : forLang(DEFAULT_LANGUAGE));
  return compiled ?? (() => undefined);
}

// getFixedT builds a new function at each call; pages translate hundreds of strings.
const fixed = new WeakMap<i18n, Map<string, TFunction>>();
const compiledMessages = new WeakMap<i18n, Map<string, Compiled>>();

/** Translates one key; values are interpolated (and select plurals with `count`). */
export function translate(
  i18n: i18n,
  lang: string,
  key: string,
  values?: Record<string, unknown>,
): string {
  let messages = compiledMessages.get(i18n);
  if (!messages) compiledMessages.set(i18n, (messages = new Map()));
  const id = `${lang}|${key}`;
  let message = messages.get(id);
  if (!message) messages.set(id, (message = compile(i18n, lang, key)));
  const simple = values && OPTIONS.some((o) => o in values) ? undefined : message(values);
  if (simple !== undefined) return simple;
  return i18nextTranslate(i18n, lang, key, values);
}

function i18nextTranslate(
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

/** What i18next itself says, for tests comparing the compiled messages with it. */
export const translateWithI18next = i18nextTranslate;
