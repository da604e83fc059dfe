// What every page of a budget shares: the budget of the URL and its phase, rule and dates.
import type express from "express";
import type { AppContext } from "../context.ts";
import { STAFF_ROLES } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { formatNumber } from "../i18n/numbers.ts";
import * as budgets from "./budgets.service.ts";

export const isStaff = (req: express.Request) =>
  req.user !== undefined && STAFF_ROLES.includes(req.user.role);

/** The budget of the URL, or a 404. */
export async function budgetOf(ctx: AppContext, req: express.Request) {
  const budget = await budgets.findBudget(ctx.db, String(req.params.id));
  if (!budget) throw new HttpError(404, "errors.notFound");
  return budget;
}

/** What every page of a budget shows of it: phase, rule, the timeline of its dates. */
export function budgetView(req: express.Request, b: budgets.Budget) {
  const phase = budgets.phaseOf(b);
  return {
    ...b,
    phase,
    phaseLabel: req.t(`budgets:phases.${phase}`),
    ruleLabel: req.t(`budgets:rules.${b.rule}.name`),
    ruleText: ruleText(req, b.rule, b.envelope),
  };
}

/** The counting rule's text, local or network budget alike. */
export function ruleText(req: express.Request, rule: string, envelope: number) {
  // Written as the page writes every amount ("10 000 €"), not as the raw integer.
  return req.t(`budgets:rules.${rule}.text`, { envelope: formatNumber(envelope, req.lang) });
}

/** A ballot's refusal, its amounts written as the page writes them. */
export function ballotError(
  req: express.Request,
  error: string,
  amounts: { envelope: number; total: number },
) {
  return req.t(`budgets:errors.ballot.${error}`, {
    envelope: formatNumber(amounts.envelope, req.lang),
    total: formatNumber(amounts.total, req.lang),
  });
}
