// Participatory budgets (issue 13): an envelope, phases with dates, projects proposed and
// reviewed, a secret vote by the rule chosen per budget (within the envelope, or approval),
// paper ballots, results and follow-up. No menu entry of its own: reached from the participation
// page, whose slot it fills. ADR 0135.
import type { Module } from "../modules/module.ts";
import { budgetsApi } from "./budgets.api.ts";
import { budgetsJobs } from "./budgets.jobs.ts";
import { budgetRoutes } from "./budgets.routes.ts";
import { budgetView } from "./budgets.view.ts";
import { listBudgets } from "./budgets.service.ts";

export const budgetsModule: Module = {
  name: "budgets",
  styles: ["/static/participation.css"],
  slots: {
    "participation.home": async (req, ctx) => {
      const list = (await listBudgets(ctx.db)).slice(0, 3).map((b) => budgetView(req, b));
      return { partial: "budgets/participation", locals: { budgets: list } };
    },
  },
  routes: budgetRoutes,
  jobs: budgetsJobs,
  // Once a vote closes, the members who voted are told of its results (budgets.jobs.ts).
  scheduled: [{ job: "budgets.announceResults", everySeconds: 300 }],
  api: budgetsApi,
};
