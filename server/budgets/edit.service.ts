// Editing a participatory budget (ADR 0139). What may change depends on how far the budget has
// gone: everything before its proposals open; then the texts, the envelope, the rule and the
// audience until its vote opens (members have proposed on the published calendar, which stays);
// once the vote is open only the texts (anything else would change a count under way). A network
// budget already published stays a network budget. Every change is written with its trace (who,
// when, each field before and after) in one transaction, or nothing is written.
import "./network-proposals.tables.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { isUuid } from "../offers/offers.repo.ts";
import { budgetProblems, type Budget, type BudgetInput, type Problem } from "./budgets.service.ts";
import type { Audience, BudgetChange, Rule } from "./budgets.tables.ts";
import "./network.tables.ts";

export const EDIT_FIELDS = [
  "title",
  "description",
  "envelope",
  "rule",
  "audience",
  "proposalsOpenAt",
  "proposalsCloseAt",
  "voteOpenAt",
  "voteCloseAt",
] as const;
export type EditField = (typeof EDIT_FIELDS)[number];
const DATES = ["proposalsOpenAt", "proposalsCloseAt", "voteOpenAt", "voteCloseAt"] as const;

/** `open`: before the proposals; `proposals`: until the vote opens; `vote`: from then on. */
export type EditStage = "open" | "proposals" | "vote";

export function editStage(b: Budget, now = new Date()): EditStage {
  if (now < b.proposals_open_at) return "open";
  if (now < b.vote_open_at) return "proposals";
  return "vote";
}

const EDITABLE: Record<EditStage, readonly EditField[]> = {
  open: EDIT_FIELDS,
  proposals: ["title", "description", "envelope", "rule", "audience"],
  vote: ["title", "description"],
};

export function editableFields(stage: EditStage): readonly EditField[] {
  return EDITABLE[stage];
}

/** The budget's fields under the form's names. */
export function currentInput(b: Budget): Required<BudgetInput> {
  return {
    title: b.title,
    description: b.description,
    envelope: b.envelope,
    rule: b.rule,
    audience: b.audience,
    proposalsOpenAt: b.proposals_open_at,
    proposalsCloseAt: b.proposals_close_at,
    voteOpenAt: b.vote_open_at,
    voteCloseAt: b.vote_close_at,
  };
}

/** Whether the budget went out to the network: at its proposals' opening
 * (budgets.publishProposals, ADR 0138) or at its vote's (budgets.publishDue). */
export async function isPublished(db: Db, budgetId: string): Promise<boolean> {
  const row = await db
    .selectFrom("budget_publications")
    .select("budget_id")
    .where("budget_id", "=", budgetId)
    .unionAll(
      db
        .selectFrom("budget_proposal_publications")
        .select("budget_id")
        .where("budget_id", "=", budgetId),
    )
    .executeTakeFirst();
  return row !== undefined;
}

// A form gives dates to the minute: the same minute is no change (stored dates may have seconds).
const minute = (d: Date) => Math.floor(d.getTime() / 60_000);
const same = (field: EditField, a: unknown, b: unknown) =>
  (DATES as readonly string[]).includes(field)
    ? a instanceof Date && b instanceof Date && minute(a) === minute(b)
    : a === b;
const stored = (v: unknown): string | number =>
  v instanceof Date ? v.toISOString() : typeof v === "number" ? v : String(v);

/**
 * Applies the fields given (absent ones stay) to the budget, in the caller's transaction. A
 * locked field given with another value is refused, with the reason of the stage.
 */
export async function editBudget(
  tx: Tx,
  budgetId: string,
  staffId: string,
  input: Partial<BudgetInput>,
  now = new Date(),
): Promise<Result<{ changes: BudgetChange[] }, "not_found" | "invalid">> {
  if (!isUuid(budgetId)) return fail("not_found");
  // Locked so that two edits, or an edit and the publication, follow one another.
  const budget = await tx.db
    .selectFrom("budgets")
    .selectAll()
    .where("id", "=", budgetId)
    .forUpdate()
    .executeTakeFirst();
  if (!budget) return fail("not_found");
  const stage = editStage(budget, now);
  const allowed = editableFields(stage);
  const before = currentInput(budget);
  const after: Required<BudgetInput> = { ...before };
  const problems: Problem[] = [];
  const changed: EditField[] = [];
  for (const field of EDIT_FIELDS) {
    const value = input[field];
    if (value === undefined) continue;
    const trimmed = typeof value === "string" ? value.trim() : value;
    if (same(field, trimmed, before[field])) continue;
    if (!allowed.includes(field)) {
      problems.push({ field, key: `budgets:edit.locked.${stage}` });
      continue;
    }
    (after as Record<string, unknown>)[field] = trimmed;
    changed.push(field);
  }
  if (after.description.length > 5000)
    problems.push({ field: "description", key: "budgets:edit.descriptionLength" });
  // Only what this edit touched: the dates' order involves every date once one moved.
  const datesMoved = changed.some((f) => (DATES as readonly string[]).includes(f));
  problems.push(
    ...budgetProblems(after).filter(
      (p) =>
        changed.includes(p.field as EditField) || (datesMoved && p.key === "budgets:errors.order"),
    ),
  );
  if (changed.includes("audience") && after.audience === "instance")
    if (await isPublished(tx.db, budget.id))
      problems.push({ field: "audience", key: "budgets:edit.published" });
  if (changed.includes("envelope") && Number.isInteger(after.envelope)) {
    // A project costs at most the envelope (ADR 0135): one proposed or accepted stays within it.
    const row = await tx.db
      .selectFrom("budget_projects")
      .select((eb) => eb.fn.max("cost").as("cost"))
      .where("budget_id", "=", budget.id)
      .where("status", "!=", "rejected")
      .executeTakeFirst();
    const dearest = Number(row?.cost ?? 0);
    if (after.envelope < dearest)
      problems.push({ field: "envelope", key: "budgets:edit.belowProject", values: { dearest } });
  }
  if (problems.length) return fail("invalid", { problems });
  if (changed.length === 0) return ok({ changes: [] });
  await tx.db
    .updateTable("budgets")
    .set({
      title: after.title,
      description: after.description,
      envelope: after.envelope,
      rule: after.rule as Rule,
      audience: after.audience as Audience,
      proposals_open_at: after.proposalsOpenAt,
      proposals_close_at: after.proposalsCloseAt,
      vote_open_at: after.voteOpenAt,
      vote_close_at: after.voteCloseAt,
    })
    .where("id", "=", budget.id)
    .execute();
  const changes = changed.map((field) => ({
    field,
    before: stored(before[field]),
    after: stored(after[field]),
  }));
  await tx.db
    .insertInto("budget_edits")
    .values({
      budget_id: budget.id,
      edited_by: staffId,
      edited_at: now,
      changes: JSON.stringify(changes),
    })
    .execute();
  return ok({ changes });
}

/** The public history of a budget's edits, newest first, with who made each. */
export async function editHistory(db: Db, budgetId: string) {
  const rows = await db
    .selectFrom("budget_edits as e")
    .leftJoin("users as u", "u.id", "e.edited_by")
    .select(["e.id", "e.edited_at", "e.changes", "u.display_name as editor"])
    .where("e.budget_id", "=", budgetId)
    .orderBy("e.edited_at", "desc")
    .limit(200)
    .execute();
  return rows.map((r) => ({
    ...r,
    changes: (typeof r.changes === "string" ? JSON.parse(r.changes) : r.changes) as BudgetChange[],
  }));
}
