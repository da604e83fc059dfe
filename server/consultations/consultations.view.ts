// What the pages show of a consultation: its phase, the ballot's fields (named so that the form
// works without JavaScript) and the results with their bars.
import type { Consultation, Phase, Question } from "./consultations.repo.ts";
import { phaseOf } from "./consultations.repo.ts";
import type { Results } from "./results.ts";

type T = (key: string, options?: Record<string, unknown>) => string;

export function summaryView(c: Consultation, now = new Date()) {
  const phase: Phase = phaseOf(c, now);
  return { ...c, phase };
}

/** A question as the ballot shows it; `values` are the answers sent back after an error. */
export function ballotQuestion(q: Question, n: number, t: T, values: Record<string, unknown> = {}) {
  const name = `q-${q.id}`;
  const chosen = (i: number) => {
    const v = values[name];
    return Array.isArray(v) ? v.includes(String(i)) : v === String(i);
  };
  return {
    ...q,
    n,
    name,
    single: q.kind === "single",
    multiple: q.kind === "multiple",
    ranking: q.kind === "ranking",
    scale: q.kind === "scale",
    text: q.kind === "text",
    hint:
      q.kind === "multiple"
        ? q.maxChoices
          ? t("consultations:ballot.hintMax", { count: q.maxChoices })
          : t("consultations:ballot.hintMany")
        : q.kind === "ranking"
          ? t("consultations:ballot.hintRanking", { count: q.options.length })
          : q.kind === "scale"
            ? t("consultations:ballot.hintScale")
            : q.kind === "text"
              ? t("consultations:ballot.hintText")
              : t("consultations:ballot.hintOne"),
    options: q.options.map((label, i) => ({
      label,
      index: i,
      id: `${name}-${i}`,
      checked: chosen(i),
      rank: values[`${name}-${i}`] ?? "",
      ranks: q.options.map((_, r) => ({
        value: r + 1,
        selected: String(values[`${name}-${i}`]) === String(r + 1),
      })),
    })),
    scalePoints: [1, 2, 3, 4, 5].map((v) => ({
      value: v,
      id: `${name}-${v}`,
      checked: values[name] === String(v),
    })),
    textValue: typeof values[name] === "string" ? values[name] : "",
  };
}

export const ballotView = (c: Consultation, t: T, values: Record<string, unknown> = {}) =>
  c.questions.map((q, i) => ballotQuestion(q, i + 1, t, values));

/** Results for the page: bars as SVG widths (no inline style under the CSP), and a table. */
export function resultsView(r: Results, t: T) {
  return {
    ...r,
    questions: r.questions.map((qr, i) => ({
      ...qr,
      n: i + 1,
      kindLabel: t(`consultations:kinds.${qr.question.kind}`),
      ranking: qr.question.kind === "ranking",
      scale: qr.question.kind === "scale",
      text: qr.question.kind === "text",
      bars: qr.options.map((o) => ({ ...o, width: Math.max(o.percent, o.count > 0 ? 1 : 0) })),
    })),
  };
}
