import type { Db } from "../db/database.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import {
  insertDefaultSettings,
  readSettings,
  updateSettings,
  type InstanceSettings,
  type SettingsUpdate,
} from "./instance.repo.ts";

export type { InstanceSettings };

const CACHE_MS = 5000;

/** Settings are read on every page; a short cache keeps that off the database while letting
 * other processes see a change within seconds. */
export class SettingsCache {
  readonly #db: Db;
  #value: InstanceSettings | undefined;
  #at = 0;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(): Promise<InstanceSettings> {
    if (this.#value && Date.now() - this.#at < CACHE_MS) return this.#value;
    const value = await readSettings(this.#db);
    if (!value) throw new Error("instance settings are missing; migrations not applied?");
    this.#value = value;
    this.#at = Date.now();
    return value;
  }

  invalidate(): void {
    this.#value = undefined;
  }
}

export async function ensureInstanceSettings(db: Db, defaultName: string): Promise<void> {
  await insertDefaultSettings(db, defaultName);
}

const HEX = /^#[0-9a-f]{6}$/i;

/** WCAG relative luminance of a #rrggbb colour. */
export function luminance(hex: string): number {
  const channels = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16) / 255);
  const [r = 0, g = 0, b = 0] = channels.map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

/** The accent colour carries white text (buttons, header): it must stay readable (AA, 4.5:1). */
export function checkAccent(color: string): Result<string, "format" | "contrast"> {
  if (!HEX.test(color)) return fail("format");
  if (contrastRatio(color.toLowerCase(), "#ffffff") < 4.5) return fail("contrast");
  return ok(color.toLowerCase());
}

export async function saveSettings(
  db: Db,
  cache: SettingsCache,
  update: SettingsUpdate,
): Promise<Result<void, "accent_format" | "accent_contrast">> {
  const accent = checkAccent(update.accentColor);
  if (!accent.ok) return fail(accent.error === "format" ? "accent_format" : "accent_contrast");
  await updateSettings(db, { ...update, accentColor: accent.value });
  cache.invalidate();
  return ok(undefined);
}
