// Members' pages of the network's budgets (ADR 0136): one received from the organiser (often the
// hub) shows its territory, envelope, rule and projects with their costs; a member votes here
// (the running total recounted by the server without JavaScript, as on a local ballot), and this
// instance sends the vote. The page says "vous avez voté" (or why the organiser refused the
// vote), never what was chosen, and shows the results the organiser published at close. Its
// paper ballot prints for members who vote on paper; the organiser counts it.
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireUser } from "../http/auth.ts";
import { HttpError } from "../http/errors.ts";
import { flash } from "../http/forms.ts";
import { DEFAULT_TIMEZONE } from "../offers/offers.schemas.ts";
import { ticked } from "./ballot.routes.ts";
import { ballotError, ruleText } from "./budgets.view.ts";
import { proposalLocals } from "./network-proposals.routes.ts";
import * as remote from "./remote.service.ts";

export function budgetNetworkRoutes(router: express.Router, ctx: AppContext): void {
  const found = async (req: express.Request) => {
    const rb = await remote.findRemote(ctx.db, String(req.params.id));
    if (!rb) throw new HttpError(404, "errors.notFound");
    return rb;
  };

  const page = async (
    req: express.Request,
    res: express.Response,
    rb: remote.RemoteBudget,
    opts: { selected?: string[]; error?: string; status?: number } = {},
  ) => {
    const user = req.user;
    const took = user ? await remote.participation(ctx.db, rb.id, user.id) : undefined;
    const open = remote.remoteOpen(rb);
    const selected = new Set(opts.selected ?? []);
    const counts = new Map((rb.results?.projects ?? []).map((p) => [p.id, p]));
    const projects = rb.projects.map((p) => ({
      ...p,
      checked: selected.has(p.id),
      counted: counts.get(p.id),
    }));
    const total = projects.filter((p) => p.checked).reduce((sum, p) => sum + p.cost, 0);
    const knapsack = rb.rule === "knapsack";
    const ranked = rb.results
      ? [...projects].filter((p) => p.counted).sort((a, b) => a.counted!.rank - b.counted!.rank)
      : [];
    res.status(opts.status ?? (opts.error ? 422 : 200)).render("budgets/network", {
      title: rb.title,
      rb,
      ruleLabel: req.t(`budgets:rules.${rb.rule}.name`),
      ruleText: ruleText(req, rb.rule, rb.envelope),
      open,
      took,
      refusedReason: took?.refused
        ? req.t(`budgets:network.refusals.${took.refused}`, { defaultValue: took.refused })
        : undefined,
      canVote: user !== undefined && open && !took,
      projects,
      total,
      knapsack,
      over: knapsack && total > rb.envelope,
      error: opts.error,
      results: rb.results,
      ranked,
      tz: DEFAULT_TIMEZONE,
      // "Proposer un projet" while the organiser's proposals are open (ADR 0138).
      ...(await proposalLocals(ctx.db, rb, user)),
    });
  };

  router.get("/budgets/reseau/:id", async (req, res) => {
    await page(req, res, await found(req));
  });

  // The paper ballot to print (issue 13 item 4): the organiser's projects, envelope and rule, and
  // how to return it to the organiser, who enters paper ballots; no form.
  router.get("/budgets/reseau/:id/bulletin", async (req, res) => {
    const rb = await found(req);
    res.render("budgets/network-ballot", {
      title: req.t("budgets:network.print.title", { title: rb.title }),
      rb,
      ruleLabel: req.t(`budgets:rules.${rb.rule}.name`),
      ruleText: ruleText(req, rb.rule, rb.envelope),
      knapsack: rb.rule === "knapsack",
      tz: DEFAULT_TIMEZONE,
    });
  });

  router.post("/budgets/reseau/:id/vote", requireUser, async (req, res) => {
    const rb = await found(req);
    const selected = ticked(req.body);
    // "Recompter": the total without JavaScript, nothing sent.
    if ((req.body as Record<string, unknown>).recount !== undefined)
      return page(req, res, rb, { selected });
    const done = await ctx.transaction((tx) =>
      remote.voteRemote(tx, rb, req.user!, selected, ctx.ports.budgets),
    );
    if (!done.ok) {
      if (done.error === "already_voted" || done.error === "not_open")
        throw new HttpError(409, `budgets:network.errors.${done.error}`);
      if (done.error === "no_federation")
        throw new HttpError(503, "budgets:network.errors.no_federation");
      const message = ballotError(req, done.error, {
        envelope: rb.envelope,
        total: Number(done.details?.total ?? 0),
      });
      return page(req, res, rb, { selected, error: message });
    }
    flash(req, "budgets:network.sent");
    res.redirect(303, `/budgets/reseau/${rb.id}`);
  });
}
