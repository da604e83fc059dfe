// Projects proposed to a network budget by members of other instances (ADR 0138, issue 13).
// On the organiser: a proposal another instance sends is checked as a local one (proposals
// phase, lengths, cost within the envelope) plus the network's rules (budget of the network,
// sender allowed, a cap on pending proposals per instance), then kept as a project awaiting
// staff review like a local one, with its origin; the staff decision goes back to that instance.
// On a member instance: the member proposes here, this instance checks what it can and sends the
// proposal with only the name the member agreed to show; the organiser's answer updates its
// status and tells the member.
import { sql } from "kysely";
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { phaseOf, proposalProblems, type Budget, type Problem } from "./budgets.service.ts";
import type { BudgetProposalsPort } from "./network-proposals.port.ts";
import type { RemoteProposalStatus } from "./network-proposals.tables.ts";
import type { RemoteBudget } from "./remote.service.ts";
import "./network-proposals.tables.ts";
import "./network-proposals.port.ts";

/** Proposals of one instance awaiting review on one budget, at most (a rogue instance's spam). */
export const PENDING_CAP = 20;

/** Why the organiser refuses a proposal on receipt (the Reject's `summary`). */
export type ProposalRefusal = "not_network" | "not_allowed" | "not_open" | "invalid" | "cap";

export interface NetworkProposalIn {
  host: string;
  /** The sending instance actor (the decision goes back to it). */
  actorUri: string;
  activityId: string;
  title: unknown;
  description: unknown;
  cost: unknown;
  name: unknown;
}

const text = (v: unknown) => (typeof v === "string" ? v : "");

/**
 * Keeps a proposal sent by another instance as a project awaiting review, or says why not. A
 * second receipt of the same activity (a replay) changes nothing: `duplicate`, not answered.
 */
export async function receiveNetworkProposal(
  tx: Tx,
  budget: Budget,
  input: NetworkProposalIn,
  rules: { allowed: boolean; pendingCap?: number },
  now = new Date(),
): Promise<Result<{ id: string }, ProposalRefusal | "duplicate">> {
  const seen = await tx.db
    .selectFrom("budget_projects")
    .select("id")
    .where("origin_activity", "=", input.activityId)
    .executeTakeFirst();
  if (seen) return fail("duplicate");
  if (budget.audience !== "network") return fail("not_network");
  if (!rules.allowed) return fail("not_allowed");
  if (phaseOf(budget, now) !== "proposals") return fail("not_open");
  const values = {
    title: text(input.title).trim(),
    description: text(input.description).trim(),
    cost: input.cost as number,
  };
  const name = text(input.name).trim();
  if (
    typeof input.cost !== "number" ||
    proposalProblems(budget.envelope, values).length > 0 ||
    name.length < 1 ||
    name.length > 80
  )
    return fail("invalid");
  // Serialises one budget's proposals so that concurrent ones cannot pass the cap.
  await sql`select id from budgets where id = ${budget.id} for update`.execute(tx.db);
  const pending = await tx.db
    .selectFrom("budget_projects")
    .select(sql<number>`count(*)::int`.as("n"))
    .where("budget_id", "=", budget.id)
    .where("origin_host", "=", input.host)
    .where("status", "=", "submitted")
    .executeTakeFirstOrThrow();
  if (Number(pending.n) >= (rules.pendingCap ?? PENDING_CAP)) return fail("cap");
  const row = await tx.db
    .insertInto("budget_projects")
    .values({
      budget_id: budget.id,
      author_id: null,
      ...values,
      origin_host: input.host,
      origin_actor: input.actorUri,
      origin_activity: input.activityId,
      origin_name: name,
    })
    .onConflict((oc) => oc.column("origin_activity").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row ? ok({ id: row.id }) : fail("duplicate");
}

/** After staff reviewed a project: one from another instance has its decision sent back. */
export async function sendDecision(
  tx: Tx,
  port: BudgetProposalsPort | undefined,
  publicUrl: URL,
  projectId: string,
): Promise<void> {
  const p = await tx.db
    .selectFrom("budget_projects")
    .select(["budget_id", "status", "rejection_reason", "origin_actor", "origin_activity"])
    .where("id", "=", projectId)
    .executeTakeFirst();
  if (!port || !p?.origin_actor || !p.origin_activity || p.status === "submitted") return;
  await port.decided(tx, {
    activityId: p.origin_activity,
    actorUri: p.origin_actor,
    decision: p.status,
    reason: p.rejection_reason ?? "",
    projectUrl: new URL(`/budgets/${p.budget_id}/projets/${projectId}`, publicUrl).href,
  });
}

// ——— On a member instance ———

export interface RemotePhase {
  opensAt: Date;
  closesAt: Date;
}

/** Keeps the proposals phase a budget's Question gives (only its organiser may change it). */
export async function savePhase(
  tx: Tx,
  uri: string,
  organiserUri: string,
  phase: RemotePhase,
): Promise<void> {
  await tx.db
    .insertInto("budget_remote_phases")
    .values({
      uri,
      organiser_uri: organiserUri,
      proposals_open_at: phase.opensAt,
      proposals_close_at: phase.closesAt,
    })
    .onConflict((oc) =>
      oc
        .column("uri")
        .doUpdateSet({ proposals_open_at: phase.opensAt, proposals_close_at: phase.closesAt })
        .where("budget_remote_phases.organiser_uri", "=", organiserUri),
    )
    .execute();
}

export async function phaseOfRemote(db: Db, rb: RemoteBudget): Promise<RemotePhase | undefined> {
  const row = await db
    .selectFrom("budget_remote_phases")
    .select(["proposals_open_at", "proposals_close_at"])
    .where("uri", "=", rb.uri)
    .where("organiser_uri", "=", rb.organiserUri)
    .executeTakeFirst();
  return row && { opensAt: row.proposals_open_at, closesAt: row.proposals_close_at };
}

export const proposalsOpen = (phase: RemotePhase | undefined, now = new Date()) =>
  phase !== undefined && phase.opensAt <= now && now < phase.closesAt;

export interface ProposalForm {
  title: string;
  description: string;
  cost: number;
  shownName: string;
  /** The member agreed that their name and instance be shown to the organiser. */
  consent: boolean;
}

export type RemoteProposalError = "not_open" | "no_federation" | "invalid";

/**
 * A member proposes a project to a network budget: checked here as the organiser will (phase,
 * lengths, cost within the envelope), then kept and sent in one transaction.
 */
export async function proposeRemote(
  tx: Tx,
  rb: RemoteBudget,
  user: User,
  input: ProposalForm,
  port: BudgetProposalsPort | undefined,
  now = new Date(),
): Promise<Result<{ id: string }, RemoteProposalError>> {
  if (!proposalsOpen(await phaseOfRemote(tx.db, rb), now)) return fail("not_open");
  if (!port) return fail("no_federation");
  const problems: Problem[] = proposalProblems(rb.envelope, input);
  const shownName = input.shownName.trim();
  if (shownName.length < 1 || shownName.length > 80)
    problems.push({ field: "shownName", key: "budget-proposals:errors.shownName" });
  if (!input.consent) problems.push({ field: "consent", key: "budget-proposals:errors.consent" });
  if (problems.length) return fail("invalid", { problems });
  const values = {
    title: input.title.trim(),
    description: input.description.trim(),
    cost: input.cost,
  };
  const activityId = await port.proposed(tx, {
    budgetUri: rb.uri,
    organiserUri: rb.organiserUri,
    ...values,
    shownName,
  });
  const row = await tx.db
    .insertInto("budget_remote_proposals")
    .values({
      remote_id: rb.id,
      user_id: user.id,
      activity_id: activityId,
      ...values,
      shown_name: shownName,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok({ id: row.id });
}

export async function myProposals(db: Db, remoteId: string, userId: string) {
  return db
    .selectFrom("budget_remote_proposals")
    .select(["id", "title", "cost", "status", "reason", "created_at"])
    .where("remote_id", "=", remoteId)
    .where("user_id", "=", userId)
    .orderBy("created_at")
    .execute();
}

/**
 * The organiser answered one of our proposals (only the budget's organiser may): its status is
 * kept and the member told. A refusal on receipt keeps its reason's code; a staff rejection its
 * public reason. A decision already recorded is not applied twice.
 */
export async function recordDecision(
  tx: Tx,
  publicUrl: URL,
  answer: {
    activityId: string;
    senderUri: string;
    status: Exclude<RemoteProposalStatus, "sent">;
    reason: string;
  },
): Promise<boolean> {
  const row = await tx.db
    .selectFrom("budget_remote_proposals as p")
    .innerJoin("budget_remote as r", "r.id", "p.remote_id")
    .select(["p.id", "p.user_id", "p.title", "p.status", "r.id as remoteId", "r.organiser_uri"])
    .where("p.activity_id", "=", answer.activityId)
    .executeTakeFirst();
  if (!row || row.organiser_uri !== answer.senderUri) return false;
  if (row.status === answer.status) return true;
  await tx.db
    .updateTable("budget_remote_proposals")
    .set({
      status: answer.status,
      reason: answer.reason.slice(0, 2000) || null,
      decided_at: new Date(),
    })
    .where("id", "=", row.id)
    .execute();
  if (row.user_id)
    await notify(tx, publicUrl, {
      userId: row.user_id,
      kind: `budget-proposals:${answer.status}`,
      data: { title: row.title, reason: answer.reason.slice(0, 300) },
      link: `/budgets/reseau/${row.remoteId}/proposer`,
    });
  return true;
}
