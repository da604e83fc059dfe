// The library's search form: what the query string asks for, read leniently (an unknown value is
// no filter, as a hand-edited link should still give a page), and the choices the form offers:
// territory (ours or a followed CMCAS's), time needed and cost, beside category and difficulty.
import type express from "express";
import { DIFFICULTIES, type Difficulty } from "./tutorials.tables.ts";
import { durationLabel } from "./tutorials.view.ts";

type TFunction = (key: string, values?: Record<string, unknown>) => string;

export const QUERY_MAX = 200;
/** The value of the territory filter that keeps this instance's own tutorials. */
export const LOCAL_TERRITORY = "ici";
/** Time needed, at most (minutes): half an hour, an hour, two, a half day, a day. */
const DURATIONS = [30, 60, 120, 240, 480];
/** Cost, at most (euros); 0 is "free". */
const COSTS = [0, 10, 20, 50];

export interface Search {
  q: string;
  category: string;
  difficulty: Difficulty | undefined;
  territory: string;
  duration: number | undefined;
  cost: number | undefined;
}

const text = (v: unknown, max: number) => (typeof v === "string" ? v.trim().slice(0, max) : "");

function oneOf(v: unknown, allowed: number[]): number | undefined {
  const n = typeof v === "string" && /^\d{1,4}$/.test(v) ? Number(v) : NaN;
  return allowed.includes(n) ? n : undefined;
}

export function readSearch(query: express.Request["query"]): Search {
  return {
    q: text(query.q, QUERY_MAX),
    category: typeof query.category === "string" ? query.category : "",
    difficulty: DIFFICULTIES.includes(query.difficulty as Difficulty)
      ? (query.difficulty as Difficulty)
      : undefined,
    territory: text(query.territory, 200),
    duration: oneOf(query.duration, DURATIONS),
    cost: oneOf(query.cost, COSTS),
  };
}

/** Whether the form asks for anything (else the home shows its sections). */
export const isSearching = (s: Search, hasCategory: boolean) =>
  s.q !== "" ||
  hasCategory ||
  s.difficulty !== undefined ||
  s.territory !== "" ||
  s.duration !== undefined ||
  s.cost !== undefined;

/** The repository's filter for these choices. */
export function searchFilter(s: Search) {
  return {
    q: s.q || undefined,
    difficulty: s.difficulty,
    territory:
      s.territory === LOCAL_TERRITORY
        ? ({ local: true } as const)
        : s.territory === ""
          ? undefined
          : s.territory,
    maxMinutes: s.duration,
    maxCostCents: s.cost === undefined ? undefined : s.cost * 100,
  };
}

/** The query string of these choices, for the pages of the results. */
export function searchParams(s: Search): URLSearchParams {
  const params = new URLSearchParams({ q: s.q, category: s.category });
  if (s.difficulty) params.set("difficulty", s.difficulty);
  if (s.territory) params.set("territory", s.territory);
  if (s.duration !== undefined) params.set("duration", String(s.duration));
  if (s.cost !== undefined) params.set("cost", String(s.cost));
  return params;
}

/** The options of the form's territory, time and cost lists, the chosen ones selected. */
export function searchChoices(
  s: Search,
  territories: string[],
  instanceName: string,
  t: TFunction,
) {
  return {
    territories: [
      { value: LOCAL_TERRITORY, label: t("tutorials:search.local", { name: instanceName }) },
      ...territories.map((name) => ({ value: name, label: name })),
    ].map((o) => ({ ...o, selected: o.value === s.territory })),
    durations: DURATIONS.map((minutes) => ({
      value: String(minutes),
      label: t("tutorials:search.durationUpTo", { label: durationLabel(minutes, t) }),
      selected: minutes === s.duration,
    })),
    costs: COSTS.map((euros) => ({
      value: String(euros),
      label:
        euros === 0
          ? t("tutorials:search.costFree")
          : t("tutorials:search.costUpTo", { amount: euros }),
      selected: euros === s.cost,
    })),
  };
}
