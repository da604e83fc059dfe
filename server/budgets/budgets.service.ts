// Participatory budgets' rules: phases from the budget's dates, proposals and their review (a
// rejection always has its public reason), the secret vote (ballot without voter, participation
// record preventing a second ballot, both in one transaction; a knapsack ballot never above the
// envelope), paper ballots entered by staff, the count and the winners' follow-up. ADR 0135.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { isUuid } from "../offers/offers.repo.ts";
import { countWinners, type Tally } from "./count.ts";
import {
  AUDIENCES,
  RULES,
  UPDATE_STATUSES,
  type Audience,
  type Rule,
  type UpdateStatus,
} from "./budgets.tables.ts";
import "./budgets.tables.ts";

export type Phase = "upcoming" | "proposals" | "review" | "vote" | "results";
export const PHASES: readonly Phase[] = ["upcoming", "proposals", "review", "vote", "results"];

export interface Problem {
  field: string;
  key: string;
  values?: Record<string, unknown>;
}

export async function findBudget(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  return db.selectFrom("budgets").selectAll().where("id", "=", id).executeTakeFirst();
}
export type Budget = NonNullable<Awaited<ReturnType<typeof findBudget>>>;

export function phaseOf(b: Budget, now = new Date()): Phase {
  if (now < b.proposals_open_at) return "upcoming";
  if (now < b.proposals_close_at) return "proposals";
  if (now < b.vote_open_at) return "review";
  if (now < b.vote_close_at) return "vote";
  return "results";
}

export async function listBudgets(db: Db) {
  return db.selectFrom("budgets").selectAll().orderBy("vote_close_at", "desc").limit(100).execute();
}

export interface BudgetInput {
  title: string;
  description: string;
  envelope: number;
  rule: string;
  /** "instance" when absent. */
  audience?: string;
  proposalsOpenAt: Date;
  proposalsCloseAt: Date;
  voteOpenAt: Date;
  voteCloseAt: Date;
}

/** What is wrong with a budget's fields, at creation or after an edit (edit.service.ts). */
export function budgetProblems(input: BudgetInput): Problem[] {
  const problems: Problem[] = [];
  const title = input.title.trim();
  if (title.length < 3 || title.length > 150)
    problems.push({ field: "title", key: "budgets:errors.title" });
  if (!Number.isInteger(input.envelope) || input.envelope < 1 || input.envelope > 100_000_000)
    problems.push({ field: "envelope", key: "budgets:errors.envelope" });
  if (!(RULES as readonly string[]).includes(input.rule))
    problems.push({ field: "rule", key: "budgets:errors.rule" });
  const audience = input.audience ?? "instance";
  if (!(AUDIENCES as readonly string[]).includes(audience))
    problems.push({ field: "audience", key: "budgets:errors.audience" });
  const dates = [
    ["proposalsOpenAt", input.proposalsOpenAt],
    ["proposalsCloseAt", input.proposalsCloseAt],
    ["voteOpenAt", input.voteOpenAt],
    ["voteCloseAt", input.voteCloseAt],
  ] as const;
  for (const [field, d] of dates)
    if (Number.isNaN(d.getTime())) problems.push({ field, key: "budgets:errors.date" });
  if (!problems.some((p) => p.key === "budgets:errors.date")) {
    for (let i = 1; i < dates.length; i++)
      if (dates[i]![1] < dates[i - 1]![1] || (i !== 2 && +dates[i]![1] === +dates[i - 1]![1]))
        problems.push({ field: dates[i]![0], key: "budgets:errors.order" });
  }
  return problems;
}

export async function createBudget(
  db: Db,
  userId: string,
  input: BudgetInput,
): Promise<Result<{ id: string }, "invalid">> {
  const problems = budgetProblems(input);
  if (problems.length) return fail("invalid", { problems });
  const title = input.title.trim();
  const audience = input.audience ?? "instance";
  const row = await db
    .insertInto("budgets")
    .values({
      title,
      description: input.description.trim().slice(0, 5000),
      envelope: input.envelope,
      rule: input.rule as Rule,
      audience: audience as Audience,
      proposals_open_at: input.proposalsOpenAt,
      proposals_close_at: input.proposalsCloseAt,
      vote_open_at: input.voteOpenAt,
      vote_close_at: input.voteCloseAt,
      created_by: userId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok({ id: row.id });
}

export async function listProjects(db: Db, budgetId: string) {
  return db
    .selectFrom("budget_projects as p")
    .leftJoin("users as u", "u.id", "p.author_id")
    .selectAll("p")
    .select("u.display_name as author")
    .where("p.budget_id", "=", budgetId)
    .orderBy("p.created_at")
    .execute();
}
export type Project = Awaited<ReturnType<typeof listProjects>>[number];

export async function findProject(db: Db, budgetId: string, id: string) {
  if (!isUuid(id)) return undefined;
  return (await listProjects(db, budgetId)).find((p) => p.id === id);
}

/** A proposal's limits, the same for one made here and one another instance sends (ADR 0138). */
export function proposalProblems(
  envelope: number,
  input: { title: string; description: string; cost: number },
): Problem[] {
  const problems: Problem[] = [];
  const title = input.title.trim();
  const description = input.description.trim();
  if (title.length < 3 || title.length > 150)
    problems.push({ field: "title", key: "budgets:errors.title" });
  if (description.length < 10 || description.length > 5000)
    problems.push({ field: "description", key: "budgets:errors.description" });
  if (!Number.isInteger(input.cost) || input.cost < 1 || input.cost > envelope)
    problems.push({ field: "cost", key: "budgets:errors.cost" });
  return problems;
}

export async function proposeProject(
  db: Db,
  budget: Budget,
  userId: string,
  input: { title: string; description: string; cost: number },
  now = new Date(),
): Promise<Result<{ id: string }, "invalid" | "closed">> {
  if (phaseOf(budget, now) !== "proposals") return fail("closed");
  const problems = proposalProblems(budget.envelope, input);
  if (problems.length) return fail("invalid", { problems });
  const title = input.title.trim();
  const description = input.description.trim();
  const row = await db
    .insertInto("budget_projects")
    .values({ budget_id: budget.id, author_id: userId, title, description, cost: input.cost })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok({ id: row.id });
}

/** Staff accept or reject a project before the vote opens; a rejection says why, publicly. */
export async function reviewProject(
  db: Db,
  budget: Budget,
  project: Project,
  staffId: string,
  input: { decision: string; reason: string },
  now = new Date(),
): Promise<Result<void, "invalid" | "closed">> {
  if (!["proposals", "review"].includes(phaseOf(budget, now))) return fail("closed");
  const reason = input.reason.trim().slice(0, 2000);
  if (input.decision !== "accepted" && input.decision !== "rejected")
    return fail("invalid", { problems: [{ field: "decision", key: "budgets:errors.decision" }] });
  if (input.decision === "rejected" && reason.length < 3)
    return fail("invalid", { problems: [{ field: "reason", key: "budgets:errors.reason" }] });
  await db
    .updateTable("budget_projects")
    .set({
      status: input.decision,
      rejection_reason: input.decision === "rejected" ? reason : null,
      reviewed_by: staffId,
      reviewed_at: now,
    })
    .where("id", "=", project.id)
    .execute();
  return ok(undefined);
}

export type BallotError = "closed" | "empty" | "unknown_project" | "over_envelope" | "already";

/** Checks a selection against the budget; gives its total. Shared by the vote and paper entry. */
export async function checkSelection(
  db: Db,
  budget: Budget,
  ids: readonly string[],
): Promise<Result<{ ids: string[]; total: number }, Exclude<BallotError, "closed" | "already">>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return fail("empty");
  if (!unique.every(isUuid)) return fail("unknown_project");
  const rows = await db
    .selectFrom("budget_projects")
    .select(["id", "cost"])
    .where("budget_id", "=", budget.id)
    .where("status", "=", "accepted")
    .where("id", "in", unique)
    .execute();
  if (rows.length !== unique.length) return fail("unknown_project");
  const total = rows.reduce((sum, r) => sum + r.cost, 0);
  if (budget.rule === "knapsack" && total > budget.envelope)
    return fail("over_envelope", { total });
  return ok({ ids: unique, total });
}

export async function insertBallot(
  tx: Tx,
  budget: Budget,
  ids: string[],
  paper?: { staffId: string; at: Date },
  networkHost?: string,
) {
  const ballot = await tx.db
    .insertInto("budget_ballots")
    .values({
      budget_id: budget.id,
      source: paper ? "paper" : networkHost ? "network" : "online",
      instance_host: paper ? null : (networkHost ?? null),
      entered_by: paper?.staffId ?? null,
      entered_at: paper?.at ?? null,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await tx.db
    .insertInto("budget_ballot_choices")
    .values(ids.map((project_id) => ({ ballot_id: ballot.id, project_id })))
    .execute();
}

/**
 * A member's secret ballot: the participation row first (its primary key makes a second ballot
 * of the same member wait, then fail), then the ballot, which names no one, in one transaction.
 */
export async function vote(
  tx: Tx,
  budget: Budget,
  userId: string,
  ids: readonly string[],
  now = new Date(),
): Promise<Result<{ total: number }, BallotError>> {
  if (phaseOf(budget, now) !== "vote") return fail("closed");
  const checked = await checkSelection(tx.db, budget, ids);
  if (!checked.ok) return checked;
  const participated = await tx.db
    .insertInto("budget_participations")
    .values({ budget_id: budget.id, user_id: userId })
    .onConflict((oc) => oc.doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (!participated) return fail("already");
  await insertBallot(tx, budget, checked.value.ids);
  return ok({ total: checked.value.total });
}

/** A paper ballot typed in by staff, from the vote's opening on: counted apart, traced. */
export async function enterPaperBallot(
  tx: Tx,
  budget: Budget,
  staffId: string,
  ids: readonly string[],
  now = new Date(),
): Promise<Result<{ total: number }, BallotError>> {
  if (now < budget.vote_open_at) return fail("closed");
  const checked = await checkSelection(tx.db, budget, ids);
  if (!checked.ok) return checked;
  await insertBallot(tx, budget, checked.value.ids, { staffId, at: now });
  return ok({ total: checked.value.total });
}

export async function hasVoted(db: Db, budgetId: string, userId: string | undefined) {
  if (!userId) return false;
  const row = await db
    .selectFrom("budget_participations")
    .select("user_id")
    .where("budget_id", "=", budgetId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every accepted project with its online and paper votes, and the winners by the rule. */
export async function results(db: Db, budget: Budget) {
  const rows = await db
    .selectFrom("budget_projects as p")
    .leftJoin("budget_ballot_choices as c", "c.project_id", "p.id")
    .leftJoin("budget_ballots as b", "b.id", "c.ballot_id")
    .select(["p.id", "p.title", "p.cost", "p.created_at"])
    .select([
      // A network ballot is a ballot cast online, on another instance (ADR 0136).
      sql<number>`count(b.id) filter (where b.source in ('online', 'network'))::int`.as("online"),
      sql<number>`count(b.id) filter (where b.source = 'paper')::int`.as("paper"),
    ])
    .where("p.budget_id", "=", budget.id)
    .where("p.status", "=", "accepted")
    .groupBy(["p.id", "p.title", "p.cost", "p.created_at"])
    .execute();
  const tallies: Tally[] = rows.map((r) => ({
    id: r.id,
    title: r.title,
    cost: r.cost,
    createdAt: r.created_at,
    online: Number(r.online),
    paper: Number(r.paper),
  }));
  const ballots = await db
    .selectFrom("budget_ballots")
    .select(["source", sql<number>`count(*)::int`.as("n")])
    .where("budget_id", "=", budget.id)
    .groupBy("source")
    .execute();
  const n = (s: string) => Number(ballots.find((b) => b.source === s)?.n ?? 0);
  const byInstance = await db
    .selectFrom("budget_ballots")
    .select(["instance_host", sql<number>`count(*)::int`.as("n")])
    .where("budget_id", "=", budget.id)
    .where("source", "=", "network")
    .groupBy("instance_host")
    .orderBy("instance_host")
    .execute();
  const projects = countWinners(budget.envelope, tallies);
  const spent = projects.filter((p) => p.funded).reduce((sum, p) => sum + p.cost, 0);
  return {
    projects,
    online: n("online") + n("network"),
    paper: n("paper"),
    network: n("network"),
    byInstance: byInstance.map((r) => ({ host: r.instance_host ?? "", ballots: Number(r.n) })),
    spent,
  };
}

/** The trace of paper entries: who entered how many ballots, and when (newest first). */
export async function paperEntries(db: Db, budgetId: string) {
  return db
    .selectFrom("budget_ballots as b")
    .leftJoin("users as u", "u.id", "b.entered_by")
    .select(["b.entered_at", "u.display_name as enteredBy"])
    .where("b.budget_id", "=", budgetId)
    .where("b.source", "=", "paper")
    .orderBy("b.entered_at", "desc")
    .limit(500)
    .execute();
}

export async function addUpdate(
  db: Db,
  project: Project,
  staffId: string,
  input: { status: string; note: string; happenedOn: string },
): Promise<Result<void, "invalid">> {
  const problems: Problem[] = [];
  const note = input.note.trim();
  if (!(UPDATE_STATUSES as readonly string[]).includes(input.status))
    problems.push({ field: "status", key: "budgets:errors.updateStatus" });
  if (note.length < 3 || note.length > 2000)
    problems.push({ field: "note", key: "budgets:errors.note" });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(input.happenedOn) || Number.isNaN(Date.parse(input.happenedOn)))
    problems.push({ field: "happenedOn", key: "budgets:errors.date" });
  if (problems.length) return fail("invalid", { problems });
  await db
    .insertInto("budget_project_updates")
    .values({
      project_id: project.id,
      status: input.status as UpdateStatus,
      note,
      happened_on: input.happenedOn,
      created_by: staffId,
    })
    .execute();
  return ok(undefined);
}

export async function updatesOf(db: Db, projectId: string) {
  return db
    .selectFrom("budget_project_updates")
    .select(["status", "note", "created_at"])
    .select(sql<string>`to_char(happened_on, 'YYYY-MM-DD')`.as("happenedOn"))
    .where("project_id", "=", projectId)
    .orderBy("happened_on")
    .orderBy("created_at")
    .execute();
}
