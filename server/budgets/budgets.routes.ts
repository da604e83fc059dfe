// The participatory budgets' pages: the list, a budget (its phases, rule and projects), proposing
// and reviewing projects, the ballot (a running total with a small script, recounted by the
// server without one), the printable paper ballot, the staff's entry of paper ballots, the
// results (printable) and each project's follow-up.
import type express from "express";
import { DateTime } from "luxon";
import type { AppContext } from "../context.ts";
import { STAFF_ROLES, requireRole, requireUser } from "../http/auth.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import * as budgets from "./budgets.service.ts";
import { sendDecision } from "./network-proposals.service.ts";
import { AUDIENCES, RULES, UPDATE_STATUSES } from "./budgets.tables.ts";
import { ballotRoutes } from "./ballot.routes.ts";
import { budgetOf, budgetView, isStaff } from "./budgets.view.ts";
import { budgetEditRoutes, changeView } from "./edit.routes.ts";
import { EDIT_FIELDS, editHistory } from "./edit.service.ts";

const str = (v: unknown) => (typeof v === "string" ? v : "");
const local = (v: string) => DateTime.fromISO(v, { zone: DEFAULT_TIMEZONE }).toJSDate();
export function budgetRoutes(router: express.Router, ctx: AppContext): void {
  router.use("/budgets", (_req, res, next) => {
    res.locals.tz = DEFAULT_TIMEZONE;
    next();
  });

  router.get("/budgets", async (req, res) => {
    res.render("budgets/index", {
      title: req.t("budgets:title"),
      budgets: (await budgets.listBudgets(ctx.db)).map((b) => budgetView(req, b)),
      staff: isStaff(req),
    });
  });

  const newForm = (
    req: express.Request,
    res: express.Response,
    values: Record<string, string> = {},
    errors: FieldError[] = [],
  ) =>
    renderForm(res, "budgets/new", ctx.i18n, req, {
      title: req.t("budgets:new.title"),
      rules: RULES.map((value) => ({
        value,
        label: req.t(`budgets:rules.${value}.name`),
        checked: value === (values.rule ?? "knapsack"),
      })),
      audiences: AUDIENCES.map((value) => ({
        value,
        label: req.t(`budgets:audience.${value}`),
        checked: value === (values.audience || "instance"),
      })),
      values,
      errors,
    });

  router.get("/budgets/nouveau", requireRole(...STAFF_ROLES), (req, res) => newForm(req, res));

  router.post("/budgets", requireRole(...STAFF_ROLES), async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const values = Object.fromEntries(EDIT_FIELDS.map((k) => [k, str(body[k])]));
    const created = await budgets.createBudget(ctx.db, req.user!.id, {
      title: values.title!,
      description: values.description!,
      envelope: Number(values.envelope!.replace(/\s/g, "")),
      rule: values.rule!,
      audience: values.audience || "instance",
      proposalsOpenAt: local(values.proposalsOpenAt!),
      proposalsCloseAt: local(values.proposalsCloseAt!),
      voteOpenAt: local(values.voteOpenAt!),
      voteCloseAt: local(values.voteCloseAt!),
    });
    if (!created.ok) return newForm(req, res, values, created.details!.problems as FieldError[]);
    flash(req, "budgets:flash.created");
    res.redirect(303, `/budgets/${created.value.id}`);
  });

  router.get("/budgets/:id", async (req, res) => {
    const budget = await budgetOf(ctx, req);
    const view = budgetView(req, budget);
    const staff = isStaff(req);
    const all = await budgets.listProjects(ctx.db, budget.id);
    // Until the review is over only staff and authors see what awaits review.
    const shown = all.filter(
      (p) => p.status !== "submitted" || staff || p.author_id === req.user?.id,
    );
    res.render("budgets/budget", {
      title: budget.title,
      budget: view,
      accepted: shown.filter((p) => p.status === "accepted"),
      submitted: shown.filter((p) => p.status === "submitted"),
      rejected: shown.filter((p) => p.status === "rejected"),
      staff,
      reviewing: staff && ["proposals", "review"].includes(view.phase),
      proposing: view.phase === "proposals",
      voting: view.phase === "vote",
      voted: await budgets.hasVoted(ctx.db, budget.id, req.user?.id),
      counted: view.phase === "results",
      history: (await editHistory(ctx.db, budget.id)).map((e) => ({
        ...e,
        changes: e.changes.map((c) => changeView(req, c)),
      })),
    });
  });

  const proposeForm = async (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors: FieldError[] = [],
  ) => {
    const budget = await budgetOf(ctx, req);
    renderForm(res, "budgets/propose", ctx.i18n, req, {
      title: req.t("budgets:propose.title"),
      budget: budgetView(req, budget),
      values,
      errors,
    });
  };

  router.get("/budgets/:id/proposer", requireUser, (req, res) => proposeForm(req, res));

  router.post("/budgets/:id/projets", requireUser, async (req, res) => {
    const budget = await budgetOf(ctx, req);
    const body = req.body as Record<string, unknown>;
    const values = {
      title: str(body.title),
      description: str(body.description),
      cost: str(body.cost),
    };
    const done = await budgets.proposeProject(ctx.db, budget, req.user!.id, {
      ...values,
      cost: Number(values.cost.replace(/\s/g, "")),
    });
    if (!done.ok && done.error === "closed")
      throw new HttpError(409, "budgets:errors.proposalsClosed");
    if (!done.ok) return proposeForm(req, res, values, done.details!.problems as FieldError[]);
    flash(req, "budgets:flash.proposed");
    res.redirect(303, `/budgets/${budget.id}`);
  });

  router.post("/budgets/:id/projets/:pid/examen", requireRole(...STAFF_ROLES), async (req, res) => {
    const budget = await budgetOf(ctx, req);
    const project = await budgets.findProject(ctx.db, budget.id, String(req.params.pid));
    if (!project) throw new HttpError(404, "errors.notFound");
    const body = req.body as Record<string, unknown>;
    const done = await ctx.transaction(async (tx) => {
      const reviewed = await budgets.reviewProject(tx.db, budget, project, req.user!.id, {
        decision: str(body.decision),
        reason: str(body.reason),
      });
      // A project from another instance: the decision goes back there (ADR 0138).
      if (reviewed.ok)
        await sendDecision(tx, ctx.ports.budgetProposals, ctx.config.publicUrl, project.id);
      return reviewed;
    });
    if (!done.ok) {
      const key =
        done.error === "closed"
          ? "budgets:errors.reviewClosed"
          : (done.details!.problems as FieldError[])[0]!.key;
      throw new HttpError(done.error === "closed" ? 409 : 422, key, { detail: req.t(key) });
    }
    flash(req, "budgets:flash.reviewed");
    res.redirect(303, `/budgets/${budget.id}`);
  });

  const projectPage = async (
    req: express.Request,
    res: express.Response,
    values: object = {},
    errors: FieldError[] = [],
  ) => {
    const budget = await budgetOf(ctx, req);
    const project = await budgets.findProject(ctx.db, budget.id, String(req.params.pid));
    const staff = isStaff(req);
    if (
      !project ||
      (project.status === "submitted" && !staff && project.author_id !== req.user?.id)
    )
      throw new HttpError(404, "errors.notFound");
    const view = budgetView(req, budget);
    const counted = view.phase === "results" ? await budgets.results(ctx.db, budget) : undefined;
    const result = counted?.projects.find((p) => p.id === project.id);
    renderForm(res, "budgets/project", ctx.i18n, req, {
      title: project.title,
      budget: view,
      project,
      result,
      updates: (await budgets.updatesOf(ctx.db, project.id)).map((u) => ({
        ...u,
        statusLabel: req.t(`budgets:updates.statuses.${u.status}`),
      })),
      following: staff && result?.funded === true,
      statuses: UPDATE_STATUSES.map((value) => ({
        value,
        label: req.t(`budgets:updates.statuses.${value}`),
      })),
      values,
      errors,
    });
  };

  router.get("/budgets/:id/projets/:pid", (req, res) => projectPage(req, res));

  router.post("/budgets/:id/projets/:pid/suivi", requireRole(...STAFF_ROLES), async (req, res) => {
    const budget = await budgetOf(ctx, req);
    const project = await budgets.findProject(ctx.db, budget.id, String(req.params.pid));
    if (!project) throw new HttpError(404, "errors.notFound");
    const body = req.body as Record<string, unknown>;
    const values = {
      status: str(body.status),
      note: str(body.note),
      happenedOn: str(body.happenedOn),
    };
    const done = await budgets.addUpdate(ctx.db, project, req.user!.id, values);
    if (!done.ok) return projectPage(req, res, values, done.details!.problems as FieldError[]);
    flash(req, "budgets:flash.updated");
    res.redirect(303, `/budgets/${budget.id}/projets/${project.id}`);
  });

  ballotRoutes(router, ctx);
  budgetEditRoutes(router, ctx);
}
