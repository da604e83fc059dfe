// What a ballot may hold, checked against the consultation's questions, from a form (the HTML
// ballot, the paper entry) or a JSON body (the API, a network vote). Expected failures are named
// so the caller can say which question is wrong.
import { fail, ok, type Result } from "../lib/result.ts";
import type { Question } from "./consultations.repo.ts";
import type { Answers } from "./consultations.tables.ts";

export type AnswerError = "missing" | "invalid" | "too_many" | "ranking" | "too_long";
export const TEXT_MAX = 500;

const index = (value: unknown, options: string[]): number | undefined => {
  const n =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\d+$/.test(value)
        ? Number(value)
        : NaN;
  return Number.isInteger(n) && n >= 0 && n < options.length ? n : undefined;
};

const list = (value: unknown): unknown[] =>
  Array.isArray(value) ? value : value === undefined || value === "" ? [] : [value];

/**
 * Checks one ballot. `raw` is keyed by question id; a ranking is either an array of option
 * indexes in order of preference (JSON) or, from a form, `{ optionIndex: rank }`. Every question
 * must be answered except free text, which may be left empty.
 */
export function checkAnswers(
  questions: Question[],
  raw: Record<string, unknown>,
): Result<Answers, AnswerError> {
  const answers: Answers = {};
  for (const q of questions) {
    const value = raw[q.id];
    const at = { question: q.id };
    switch (q.kind) {
      case "single": {
        const i = index(value, q.options);
        if (i === undefined)
          return fail(value === undefined || value === "" ? "missing" : "invalid", at);
        answers[q.id] = i;
        break;
      }
      case "multiple": {
        const picked = list(value).map((v) => index(v, q.options));
        if (picked.length === 0) return fail("missing", at);
        if (picked.some((i) => i === undefined)) return fail("invalid", at);
        const unique = [...new Set(picked as number[])].sort((a, b) => a - b);
        if (q.maxChoices !== null && unique.length > q.maxChoices) return fail("too_many", at);
        answers[q.id] = unique;
        break;
      }
      case "ranking": {
        let order: number[] | undefined;
        if (Array.isArray(value)) order = value.map((v) => index(v, q.options) ?? -1);
        else if (value && typeof value === "object") {
          // From a form: the rank given to each option (1 = preferred).
          const ranks = q.options.map((_, i) =>
            Number((value as Record<string, unknown>)[String(i)]),
          );
          if (ranks.some((r) => !Number.isInteger(r))) return fail("missing", at);
          order = q.options.map((_, i) => i).sort((a, b) => ranks[a]! - ranks[b]!);
          if (new Set(ranks).size !== ranks.length || ranks.some((r) => r < 1 || r > ranks.length))
            return fail("ranking", at);
        }
        if (!order) return fail("missing", at);
        if (
          order.length !== q.options.length ||
          new Set(order).size !== order.length ||
          order.includes(-1)
        )
          return fail("ranking", at);
        answers[q.id] = order;
        break;
      }
      case "scale": {
        const n =
          typeof value === "number"
            ? value
            : typeof value === "string" && value !== ""
              ? Number(value)
              : NaN;
        if (value === undefined || value === "") return fail("missing", at);
        if (!Number.isInteger(n) || n < 1 || n > 5) return fail("invalid", at);
        answers[q.id] = n;
        break;
      }
      case "text": {
        if (value !== undefined && typeof value !== "string") return fail("invalid", at);
        const text = (value ?? "").trim();
        if (text.length > TEXT_MAX) return fail("too_long", at);
        if (text) answers[q.id] = text;
        break;
      }
    }
  }
  return ok(answers);
}

/** The form's fields (`q-<id>`, `q-<id>-<option>` for ranks) as checkAnswers reads them. */
export function answersFromForm(
  questions: Question[],
  body: Record<string, unknown>,
): Record<string, unknown> {
  const raw: Record<string, unknown> = {};
  for (const q of questions) {
    if (q.kind === "ranking") {
      const ranks: Record<string, unknown> = {};
      q.options.forEach((_, i) => (ranks[String(i)] = body[`q-${q.id}-${i}`]));
      raw[q.id] = ranks;
    } else raw[q.id] = body[`q-${q.id}`];
  }
  return raw;
}
