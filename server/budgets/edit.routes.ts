// Staff edit a participatory budget (ADR 0139): the creation form's fields, prefilled; only
// those the budget's stage leaves open are fields, the others are shown with why they are locked.
import type express from "express";
import { DateTime } from "luxon";
import type { AppContext } from "../context.ts";
import { STAFF_ROLES, requireRole } from "../http/auth.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import { formatNumber } from "../i18n/numbers.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import type { BudgetInput } from "./budgets.service.ts";
import { AUDIENCES, RULES, type BudgetChange } from "./budgets.tables.ts";
import { budgetOf, budgetView } from "./budgets.view.ts";
import * as edit from "./edit.service.ts";

const str = (v: unknown) => (typeof v === "string" ? v : "");
const local = (v: string) => DateTime.fromISO(v, { zone: DEFAULT_TIMEZONE }).toJSDate();
const toLocal = (d: Date) =>
  DateTime.fromJSDate(d).setZone(DEFAULT_TIMEZONE).toFormat("yyyy-MM-dd'T'HH:mm");
const DATE_FIELDS: readonly string[] = [
  "proposalsOpenAt",
  "proposalsCloseAt",
  "voteOpenAt",
  "voteCloseAt",
];

/** The form's values of a budget as it is. */
function valuesOf(b: Parameters<typeof edit.currentInput>[0]): Record<string, string> {
  const input = edit.currentInput(b);
  return Object.fromEntries(
    edit.EDIT_FIELDS.map((f) => {
      const v = input[f];
      return [f, v instanceof Date ? toLocal(v) : String(v)];
    }),
  );
}

/** What the form sent, for the fields it may carry (absent ones stay as they are). */
export function inputOf(body: Record<string, unknown>): Partial<BudgetInput> {
  const input: Record<string, unknown> = {};
  for (const f of edit.EDIT_FIELDS) {
    if (typeof body[f] !== "string") continue;
    const v = body[f];
    if (f === "envelope") input[f] = v.trim() === "" ? Number.NaN : Number(v.replace(/\s/g, ""));
    else if (DATE_FIELDS.includes(f)) input[f] = local(v);
    else input[f] = v;
  }
  return input as Partial<BudgetInput>;
}

/** One change of the history as the page shows it. */
export function changeView(req: express.Request, c: BudgetChange) {
  const label = req.t(`budgets:edit.fields.${c.field}`);
  if (c.field === "description") return { label, text: true };
  if (c.field === "rule" || c.field === "audience") {
    const name = (v: string | number) =>
      req.t(c.field === "rule" ? `budgets:rules.${v}.name` : `budgets:audience.${v}`);
    return { label, before: name(c.before), after: name(c.after) };
  }
  if (DATE_FIELDS.includes(c.field)) return { label, date: true, before: c.before, after: c.after };
  if (c.field === "envelope") return { label, euros: true, before: c.before, after: c.after };
  return { label, before: c.before, after: c.after };
}

export function budgetEditRoutes(router: express.Router, ctx: AppContext): void {
  const form = async (
    req: express.Request,
    res: express.Response,
    values?: Record<string, string>,
    errors: FieldError[] = [],
  ) => {
    const budget = await budgetOf(ctx, req);
    const stage = edit.editStage(budget);
    const open = edit.editableFields(stage);
    const shown = values ?? valuesOf(budget);
    const published = await edit.isPublished(ctx.db, budget.id);
    const view = budgetView(req, budget);
    renderForm(res, "budgets/edit", ctx.i18n, req, {
      title: req.t("budgets:edit.title"),
      budget: view,
      stage,
      stageText: req.t(`budgets:edit.stage.${stage}`),
      can: Object.fromEntries(edit.EDIT_FIELDS.map((f) => [f, open.includes(f)])),
      datesLocked: !open.includes("voteOpenAt"),
      published: published && budget.audience === "network",
      rules: RULES.map((value) => ({
        value,
        label: req.t(`budgets:rules.${value}.name`),
        checked: value === shown.rule,
      })),
      audiences: AUDIENCES.map((value) => ({
        value,
        label: req.t(`budgets:audience.${value}`),
        checked: value === shown.audience,
      })),
      values: shown,
      errors,
    });
  };

  router.get("/budgets/:id/modifier", requireRole(...STAFF_ROLES), (req, res) => form(req, res));

  router.post("/budgets/:id/modifier", requireRole(...STAFF_ROLES), async (req, res) => {
    const budget = await budgetOf(ctx, req);
    const body = req.body as Record<string, unknown>;
    const done = await ctx.transaction((tx) =>
      edit.editBudget(tx, budget.id, req.user!.id, inputOf(body)),
    );
    if (!done.ok && done.error === "not_found") throw new HttpError(404, "errors.notFound");
    if (!done.ok) {
      const values = { ...valuesOf(budget) };
      for (const f of edit.EDIT_FIELDS) if (typeof body[f] === "string") values[f] = str(body[f]);
      // The dearest project's cost in the message is written as the page writes every amount.
      const problems = (done.details!.problems as FieldError[]).map((p) =>
        typeof p.values?.dearest === "number"
          ? { ...p, values: { ...p.values, dearest: formatNumber(p.values.dearest, req.lang) } }
          : p,
      );
      return form(req, res, values, problems);
    }
    flash(req, done.value.changes.length ? "budgets:flash.edited" : "budgets:flash.unchanged");
    res.redirect(303, `/budgets/${budget.id}`);
  });
}
