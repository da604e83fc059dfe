// Network votes of a budget on its organiser (ADR 0133, 0136). As for consultations (ADR 0131,
// whose token pattern, refusal reasons and rules they share): a vote another instance sends
// carries the chosen project ids and a per-member token only; it goes through the same check as
// a local ballot (checkSelection: accepted projects, non-empty, within the envelope for the
// knapsack rule), the token takes the voter's place (its primary key refuses a double or a
// replay), and it is counted as a ballot of source `network` with its instance.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { TOKEN, type NetworkRefusal, type VoteRules } from "../consultations/network.service.ts";
import { checkSelection, insertBallot, phaseOf, results, type Budget } from "./budgets.service.ts";
import type { RemoteBudgetResults } from "./network.tables.ts";
import "./network.tables.ts";

/** The consultations' reasons, and the envelope's. */
export type BudgetRefusal = NetworkRefusal | "over_envelope";

export interface BudgetNetworkVote {
  host: string;
  token: string;
  projects: unknown;
}

async function refused(
  tx: Tx,
  budget: Budget,
  host: string,
  reason: BudgetRefusal,
): Promise<Result<never, BudgetRefusal>> {
  await tx.db
    .insertInto("budget_network_refusals")
    .values({ budget_id: budget.id, instance_host: host, reason })
    .onConflict((oc) =>
      oc
        .columns(["budget_id", "instance_host", "reason"])
        .doUpdateSet({ count: sql`budget_network_refusals.count + 1` }),
    )
    .execute();
  return fail(reason);
}

/** The budgets' own cap on network votes per instance (0: none), a setting of the module. */
export const PER_INSTANCE_CAP = {
  type: "integer",
  title: "budgets:settings.perInstanceCap",
  description: "budgets:settings.perInstanceCapHint",
  minimum: 0,
  maximum: 1000000,
  // The consultations' default (one network setting each, ADR 0139).
  default: 0,
} as const;

/**
 * The budgets' cap as saved, read with the caller's transaction: in embedded mode PGlite has one
 * connection, which the transaction holds, so a read through the modules' cache would wait for it
 * forever. The default when unset or out of range.
 */
export async function budgetVoteCap(tx: Tx): Promise<number> {
  const row = await tx.db
    .selectFrom("module_states")
    .select("settings")
    .where("name", "=", "budgets")
    .executeTakeFirst();
  const raw: unknown = row?.settings;
  const saved = (typeof raw === "string" ? JSON.parse(raw) : raw) as
    Record<string, unknown> | null | undefined;
  const cap = Number(saved?.perInstanceCap ?? PER_INSTANCE_CAP.default);
  return Number.isInteger(cap) && cap > 0 ? cap : 0;
}

/** Counts one network vote, or says why not (and counts the refusal, per instance and reason). */
export async function receiveNetworkVote(
  tx: Tx,
  budget: Budget,
  vote: BudgetNetworkVote,
  rules: VoteRules,
  now = new Date(),
): Promise<Result<void, BudgetRefusal>> {
  if (budget.audience !== "network") return refused(tx, budget, vote.host, "not_network");
  if (!rules.allowed) return refused(tx, budget, vote.host, "not_allowed");
  if (phaseOf(budget, now) !== "vote") return refused(tx, budget, vote.host, "not_open");
  const ids = Array.isArray(vote.projects)
    ? vote.projects.filter((p): p is string => typeof p === "string").slice(0, 500)
    : [];
  if (!TOKEN.test(vote.token) || ids.length !== (vote.projects as unknown[]).length)
    return refused(tx, budget, vote.host, "invalid");
  const checked = await checkSelection(tx.db, budget, ids);
  if (!checked.ok)
    return refused(
      tx,
      budget,
      vote.host,
      checked.error === "over_envelope" ? checked.error : "invalid",
    );
  if (rules.perInstanceCap > 0) {
    // Serialises the votes of one budget so that concurrent ones cannot pass the cap.
    await sql`select id from budgets where id = ${budget.id} for update`.execute(tx.db);
    const row = await tx.db
      .selectFrom("budget_network_votes")
      .select(sql<number>`count(*)`.as("n"))
      .where("budget_id", "=", budget.id)
      .where("instance_host", "=", vote.host)
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= rules.perInstanceCap) return refused(tx, budget, vote.host, "cap");
  }
  const took = await tx.db
    .insertInto("budget_network_votes")
    .values({ budget_id: budget.id, instance_host: vote.host, token: vote.token })
    .onConflict((oc) => oc.columns(["budget_id", "token"]).doNothing())
    .returning("token")
    .executeTakeFirst();
  if (!took) return refused(tx, budget, vote.host, "already_counted");
  await insertBallot(tx, budget, checked.value.ids, undefined, vote.host);
  return ok(undefined);
}

/** Refused network votes per instance and reason, published beside the results. */
export async function networkRefusals(db: Db, budgetId: string) {
  const rows = await db
    .selectFrom("budget_network_refusals")
    .select(["instance_host", "reason", "count"])
    .where("budget_id", "=", budgetId)
    .orderBy("instance_host")
    .orderBy("reason")
    .execute();
  return rows.map((r) => ({ host: r.instance_host, reason: r.reason, count: r.count }));
}

/** What the instances of the network keep of a closed budget's count. */
export async function publishedResults(db: Db, budget: Budget): Promise<RemoteBudgetResults> {
  const r = await results(db, budget);
  return {
    ballots: r.online + r.paper,
    byChannel: { online: r.online - r.network, paper: r.paper, network: r.network },
    byInstance: r.byInstance,
    projects: r.projects.map((p) => ({
      id: p.id,
      votes: p.votes,
      funded: p.funded,
      rank: p.rank,
    })),
  };
}
