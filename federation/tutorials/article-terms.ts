// The tutorial terms of an incoming Article (ADR 0118): category, difficulty, time needed and cost
// estimate, as our instances send them (article.ts). Read from the document as received, written
// compact or re-compacted (full IRIs, `@value`s): anything missing or out of range is left out, and
// the tutorial is kept without it.
import type { Difficulty } from "../../server/tutorials/tutorials.tables.ts";
import { plainTerms } from "../offers/terms.ts";

type Json = Record<string, unknown>;

export interface TutorialTerms {
  category: { slug: string; name: string } | null;
  difficulty: Difficulty | null;
  durationMinutes: number | null;
  costCents: number | null;
}

const DIFFICULTIES = new Set<string>(["facile", "moyen", "difficile"]);

/** A single value: expanded documents hold every value in a list. */
function one(value: unknown): unknown {
  return Array.isArray(value) ? one(value[0]) : value;
}

function text(value: unknown, max: number): string | null {
  const v = one(value);
  return typeof v === "string" && v.trim() !== "" ? v.trim().slice(0, max) : null;
}

function integer(value: unknown, min: number, max: number): number | null {
  const v = one(value);
  const n = typeof v === "number" ? v : typeof v === "string" ? Number(v) : Number.NaN;
  return Number.isInteger(n) && n >= min && n <= max ? n : null;
}

export function readTutorialTerms(raw: Json | undefined): TutorialTerms {
  const json = raw ? plainTerms(raw) : {};
  const slug = text(json.category, 80);
  const name = text(json.categoryName, 200);
  const difficulty = text(json.difficulty, 20);
  const cost = text(json.costEuros, 20) ?? one(json.costEuros);
  const euros = typeof cost === "number" || typeof cost === "string" ? Number(cost) : Number.NaN;
  const cents = Number.isFinite(euros) ? Math.round(euros * 100) : Number.NaN;
  return {
    category: slug || name ? { slug: slug?.toLowerCase() ?? "", name: name ?? "" } : null,
    difficulty: difficulty && DIFFICULTIES.has(difficulty) ? (difficulty as Difficulty) : null,
    // The bounds of our own columns.
    durationMinutes: integer(json.durationMinutes, 1, 100_000),
    costCents: cents >= 0 && cents <= 100_000_000 ? cents : null,
  };
}
