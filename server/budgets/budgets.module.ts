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
import { budgetsNetworkApi } from "./network.api.ts";
import { budgetNetworkRoutes } from "./network.routes.ts";
import { proposalsJobs } from "./network-proposals.jobs.ts";
import { budgetProposalRoutes } from "./network-proposals.routes.ts";
import { PER_INSTANCE_CAP } from "./network.service.ts";
import { listRemote, remoteOpen } from "./remote.service.ts";
import "./budgets.port.ts";

export const budgetsModule: Module = {
  name: "budgets",
  styles: ["/static/participation.css"],
  // Network votes of budgets have their own cap per instance (ADR 0139), apart from consultations'.
  settings: { schema: { type: "object", properties: { perInstanceCap: PER_INSTANCE_CAP } } },
  slots: {
    "participation.home": async (req, ctx) => {
      const list = (await listBudgets(ctx.db)).slice(0, 3).map((b) => budgetView(req, b));
      const network = (await listRemote(ctx.db, 10)).map((rb) => ({
        ...rb,
        open: remoteOpen(rb),
      }));
      return { partial: "budgets/participation", locals: { budgets: list, network } };
    },
  },
  routes(router, ctx) {
    // Before /budgets/:id, so that /budgets/reseau/… is not read as a budget's id.
    budgetProposalRoutes(router, ctx);
    budgetNetworkRoutes(router, ctx);
    budgetRoutes(router, ctx);
  },
  jobs: { ...budgetsJobs, ...proposalsJobs },
  // Once a vote closes, the members who voted are told of its results (budgets.jobs.ts).
  // Network budgets go out when their vote opens (budgets.jobs.ts, ADR 0136).
  scheduled: [
    { job: "budgets.announceResults", everySeconds: 300 },
    { job: "budgets.publishDue", everySeconds: 120 },
    // And when their proposals open, so that other instances' members can propose (ADR 0138).
    { job: "budgets.publishProposals", everySeconds: 120 },
  ],
  api: (api, ctx) => {
    budgetsNetworkApi(api, ctx);
    budgetsApi(api, ctx);
  },
};
