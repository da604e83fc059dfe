// Announcing a participatory budget's results when its vote closes (issue 13: members "always
// learn what was done with their voice"). The results page follows the dates by itself; what no
// date does is tell the members who voted. A scheduled job does it once per budget: the insert of
// its row in `budget_announcements` (migration 0093) lets one run, one worker, announce.
import type { AppContext } from "../context.ts";
import type { JobDefinitions } from "../modules/module.ts";
import { notify } from "../notifications/notifications.service.ts";
import "./budgets.port.ts";

declare module "../jobs/job-types.ts" {
  interface JobPayloads {
    "budgets.announceResults": Record<string, never>;
    "budgets.publishDue": Record<string, never>;
  }
}

/** Announces the results of every budget whose vote has closed; the number announced. */
export async function announceResults(ctx: AppContext, now = new Date()): Promise<number> {
  const due = await ctx.db
    .selectFrom("budgets as b")
    .leftJoin("budget_announcements as a", "a.budget_id", "b.id")
    .select(["b.id", "b.title", "b.audience"])
    .where("b.vote_close_at", "<=", now)
    .where("a.budget_id", "is", null)
    .orderBy("b.vote_close_at")
    .limit(500)
    .execute();
  let announced = 0;
  for (const { id, title, audience } of due) {
    const done = await ctx.transaction(async (tx) => {
      const took = await tx.db
        .insertInto("budget_announcements")
        .values({ budget_id: id, announced_at: now })
        .onConflict((oc) => oc.column("budget_id").doNothing())
        .returning("budget_id")
        .executeTakeFirst();
      if (!took) return false;
      // A network budget's results go back to every instance (ADR 0136), with the same mark.
      if (audience === "network") await ctx.ports.budgets?.closed(tx, id);
      const voters = await tx.db
        .selectFrom("budget_participations")
        .select("user_id")
        .where("budget_id", "=", id)
        .execute();
      for (const v of voters)
        await notify(tx, ctx.config.publicUrl, {
          userId: v.user_id,
          kind: "budgets:results",
          data: { title },
          link: `/budgets/${id}/resultats`,
        });
      return true;
    });
    if (done) announced += 1;
  }
  return announced;
}

/** A phase at whose opening network budgets go out, and the table marking each one sent. */
export interface Publication {
  /** Both tables are (budget_id, published_at); the name says which phase was published. */
  mark: "budget_publications" | "budget_proposal_publications";
  opens: "vote_open_at" | "proposals_open_at";
  closes: "vote_close_at" | "proposals_close_at";
}

/**
 * Publishes to the network each network budget whose phase is open: phases follow dates, so no
 * staff action marks the opening. Once per budget and phase: the insert of its mark lets one run,
 * one worker, send it. The number published.
 */
export async function publishOpened(
  ctx: AppContext,
  phase: Publication,
  now = new Date(),
): Promise<number> {
  const port = ctx.ports.budgets;
  if (!port) return 0;
  // The two mark tables have the same columns; one name gives the query its types.
  const mark = phase.mark as "budget_publications";
  const due = await ctx.db
    .selectFrom("budgets as b")
    .leftJoin(`${mark} as p`, "p.budget_id", "b.id")
    .select("b.id")
    .where("b.audience", "=", "network")
    .where(`b.${phase.opens}`, "<=", now)
    .where(`b.${phase.closes}`, ">", now)
    .where("p.budget_id", "is", null)
    .orderBy(`b.${phase.opens}`)
    .limit(500)
    .execute();
  let published = 0;
  for (const { id } of due) {
    const done = await ctx.transaction(async (tx) => {
      const took = await tx.db
        .insertInto(mark)
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

/** The network budgets whose vote has opened, with their accepted projects (ADR 0136). */
export const publishDue = (ctx: AppContext, now = new Date()) =>
  publishOpened(
    ctx,
    { mark: "budget_publications", opens: "vote_open_at", closes: "vote_close_at" },
    now,
  );

export const budgetsJobs: JobDefinitions<"budgets.announceResults" | "budgets.publishDue"> = {
  "budgets.publishDue": {
    spec: { attempts: 3, backoffMs: 60_000, timeoutMs: 300_000 },
    run: async (ctx) => {
      await publishDue(ctx);
    },
  },
  "budgets.announceResults": {
    spec: { attempts: 3, backoffMs: 60_000, timeoutMs: 300_000 },
    run: async (ctx) => {
      await announceResults(ctx);
    },
  },
};
