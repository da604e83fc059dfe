// The vote of a participatory budget: the ballot (a member's, secret), the printable paper
// ballot, the staff's entry of paper ballots (traced), and the results with every count.
import type express from "express";
import type { AppContext } from "../context.ts";
import { STAFF_ROLES, requireRole, requireUser } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash } from "../http/forms.ts";
import * as budgets from "./budgets.service.ts";
import { ballotError, budgetOf, budgetView } from "./budgets.view.ts";

/** The ticked projects of a form: one value or several under the same name. */
export function ticked(body: unknown): string[] {
  const value = (body as Record<string, unknown> | undefined)?.projects;
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return list.filter((v): v is string => typeof v === "string").slice(0, 500);
}

export function ballotRoutes(router: express.Router, ctx: AppContext): void {
  const ballotPage = async (
    req: express.Request,
    res: express.Response,
    opts: { paper: boolean; selected?: string[]; error?: string; status?: number },
  ) => {
    const budget = await budgetOf(ctx, req);
    const selected = new Set(opts.selected ?? []);
    const projects = (await budgets.listProjects(ctx.db, budget.id))
      .filter((p) => p.status === "accepted")
      .map((p) => ({ ...p, checked: selected.has(p.id) }));
    const total = projects.filter((p) => p.checked).reduce((sum, p) => sum + p.cost, 0);
    res.status(opts.status ?? (opts.error ? 422 : 200)).render("budgets/vote", {
      title: req.t(opts.paper ? "budgets:paper.title" : "budgets:vote.title"),
      budget: budgetView(req, budget),
      projects,
      total,
      over: budget.rule === "knapsack" && total > budget.envelope,
      knapsack: budget.rule === "knapsack",
      paper: opts.paper,
      action: `/budgets/${budget.id}/${opts.paper ? "papier" : "vote"}`,
      error: opts.error,
      entries: opts.paper ? await budgets.paperEntries(ctx.db, budget.id) : [],
      voted: opts.paper ? false : await budgets.hasVoted(ctx.db, budget.id, req.user?.id),
      open: budgets.phaseOf(budget) === "vote",
    });
  };

  router.get("/budgets/:id/vote", requireUser, (req, res) =>
    ballotPage(req, res, { paper: false }),
  );

  const cast = (paper: boolean) => async (req: express.Request, res: express.Response) => {
    const budget = await budgetOf(ctx, req);
    const selected = ticked(req.body);
    // "Recompter": the total without JavaScript, nothing recorded.
    if ((req.body as Record<string, unknown>).recount !== undefined)
      return ballotPage(req, res, { paper, selected });
    const done = await ctx.transaction((tx) =>
      paper
        ? budgets.enterPaperBallot(tx, budget, req.user!.id, selected)
        : budgets.vote(tx, budget, req.user!.id, selected),
    );
    if (!done.ok) {
      const status = done.error === "closed" || done.error === "already" ? 409 : 422;
      const message = ballotError(req, done.error, {
        envelope: budget.envelope,
        total: Number(done.details?.total ?? 0),
      });
      return ballotPage(req, res, { paper, selected, error: message, status });
    }
    flash(req, paper ? "budgets:flash.paperEntered" : "budgets:flash.voted");
    res.redirect(303, paper ? `/budgets/${budget.id}/papier` : `/budgets/${budget.id}`);
  };

  router.post("/budgets/:id/vote", requireUser, cast(false));

  router.get("/budgets/:id/papier", requireRole(...STAFF_ROLES), (req, res) =>
    ballotPage(req, res, { paper: true }),
  );
  router.post("/budgets/:id/papier", requireRole(...STAFF_ROLES), cast(true));

  // The paper ballot to print: boxes to tick, the rule, the envelope; no form.
  router.get("/budgets/:id/bulletin", async (req, res) => {
    const budget = await budgetOf(ctx, req);
    res.render("budgets/paper-ballot", {
      title: req.t("budgets:print.title", { title: budget.title }),
      budget: budgetView(req, budget),
      projects: (await budgets.listProjects(ctx.db, budget.id)).filter(
        (p) => p.status === "accepted",
      ),
    });
  });

  router.get("/budgets/:id/resultats", async (req, res) => {
    const budget = await budgetOf(ctx, req);
    const view = budgetView(req, budget);
    if (view.phase !== "results") throw new HttpError(404, "budgets:errors.noResultsYet");
    const counted = await budgets.results(ctx.db, budget);
    res.render("budgets/results", {
      title: req.t("budgets:results.title", { title: budget.title }),
      budget: view,
      ...counted,
      left: budget.envelope - counted.spent,
      byInstanceList: counted.byInstance.map((b) => `${b.host} (${b.ballots})`).join(", "),
      entries: await budgets.paperEntries(ctx.db, budget.id),
    });
  });
}
