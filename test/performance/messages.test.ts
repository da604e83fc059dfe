// Compiled messages (ADR 0150) say exactly what i18next says, for every key of every catalogue,
// in both languages, with and without values, and for the plural forms.
import assert from "node:assert/strict";
import type { i18n } from "i18next";
import { createI18n, LANGUAGES, translate, translateWithI18next } from "../../server/i18n/i18n.ts";

function keysOf(tree: unknown, prefix = ""): string[] {
  if (typeof tree === "string") return [prefix];
  if (!tree || typeof tree !== "object") return [];
  return Object.entries(tree).flatMap(([k, v]) => keysOf(v, prefix ? `${prefix}.${k}` : k));
}

describe("Compiled messages", () => {
  let i18n: i18n;
  before(async () => {
    i18n = await createI18n();
  });

  it("match i18next for every key, value and count", () => {
    let compared = 0;
    const store = i18n.store.data as Record<string, Record<string, unknown>>;
    for (const lang of LANGUAGES)
      for (const [ns, tree] of Object.entries(store[lang] ?? {}))
        for (const raw of keysOf(tree)) {
          const base = raw.replace(/_(zero|one|two|few|many|other)$/, "");
          const key = ns === "common" ? base : `${ns}:${base}`;
          const text = String(i18n.getResource(lang, ns, raw));
          const holes = [...text.matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]!);
          const filled = Object.fromEntries(holes.map((h) => [h, `«${h}»`]));
          const cases: (Record<string, unknown> | undefined)[] = [undefined, filled];
          for (const count of [0, 1, 2, 5, 1_000_000]) cases.push({ ...filled, count });
          for (const values of cases) {
            assert.equal(
              translate(i18n, lang, key, values),
              translateWithI18next(i18n, lang, key, values),
              `${lang} ${key} ${JSON.stringify(values)}`,
            );
            compared++;
          }
        }
    assert.ok(compared > 1000, `only ${compared} messages compared`);
  });

  it("fall back to French, then to i18next, for what they do not know", () => {
    assert.equal(
      translate(i18n, "en", "no.such.key"),
      translateWithI18next(i18n, "en", "no.such.key"),
    );
    assert.equal(
      translate(i18n, "en", "offers:places.left", { count: 3 }),
      translateWithI18next(i18n, "en", "offers:places.left", { count: 3 }),
    );
  });
});
