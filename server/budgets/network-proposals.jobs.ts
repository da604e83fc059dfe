// A network budget goes out when its proposals phase opens (ADR 0138), so that the network's
// instances know it and their members can propose projects; when its vote opens it goes out again
// with the accepted projects (budgets.publishDue, ADR 0136). Phases follow dates, so a scheduled
// job does it, once per budget: its `budget_proposal_publications` row is the mark.
import type { AppContext } from "../context.ts";
import type { JobDefinitions } from "../modules/module.ts";
import { publishOpened } from "./budgets.jobs.ts";
import "./network-proposals.tables.ts";

declare module "../jobs/job-types.ts" {
  interface JobPayloads {
    "budgets.publishProposals": Record<string, never>;
  }
}

/** Publishes each network budget whose proposals phase is open; the number published. */
export const publishProposalsDue = (ctx: AppContext, now = new Date()) =>
  publishOpened(
    ctx,
    {
      mark: "budget_proposal_publications",
      opens: "proposals_open_at",
      closes: "proposals_close_at",
    },
    now,
  );

export const proposalsJobs: JobDefinitions<"budgets.publishProposals"> = {
  "budgets.publishProposals": {
    spec: { attempts: 3, backoffMs: 60_000, timeoutMs: 300_000 },
    run: async (ctx) => {
      await publishProposalsDue(ctx);
    },
  },
};
