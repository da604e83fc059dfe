// A network budget goes out when its proposals phase opens (ADR 0138), so that the network's
// instances know it and their members can propose projects; when its vote opens it goes out again
// with the accepted projects (budgets.publishDue, ADR 0136). Phases follow dates, so a scheduled
// job does it, once per budget: its `budget_proposal_publications` row is the mark.
import type { AppContext } from "../context.ts";
import type { JobDefinitions } from "../modules/module.ts";
import "./budgets.port.ts";
import "./network-proposals.tables.ts";

declare module "../jobs/job-types.ts" {
  interface JobPayloads {
    "budgets.publishProposals": Record<string, never>;
  }
}

/** Publishes each network budget whose proposals phase is open; the number published. */
export async function publishProposalsDue(ctx: AppContext, now = new Date()): Promise<number> {
  const port = ctx.ports.budgets;
  if (!port) return 0;
  const due = await ctx.db
    .selectFrom("budgets as b")
    .leftJoin("budget_proposal_publications as p", "p.budget_id", "b.id")
    .select("b.id")
    .where("b.audience", "=", "network")
    .where("b.proposals_open_at", "<=", now)
    .where("b.proposals_close_at", ">", now)
    .where("p.budget_id", "is", null)
    .orderBy("b.proposals_open_at")
    .limit(500)
    .execute();
  let published = 0;
  for (const { id } of due) {
    const done = await ctx.transaction(async (tx) => {
      const took = await tx.db
        .insertInto("budget_proposal_publications")
        .values({ budget_id: id, published_at: now })
        .onConflict((oc) => oc.column("budget_id").doNothing())
        .returning("budget_id")
        .executeTakeFirst();
      if (took) await port.opened(tx, id);
      return took !== undefined;
    });
    if (done) published += 1;
  }
  return published;
}

export const proposalsJobs: JobDefinitions<"budgets.publishProposals"> = {
  "budgets.publishProposals": {
    spec: { attempts: 3, backoffMs: 60_000, timeoutMs: 300_000 },
    run: async (ctx) => {
      await publishProposalsDue(ctx);
    },
  },
};
