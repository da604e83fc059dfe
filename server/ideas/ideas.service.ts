// The idea box's rules: proposing, supporting (one support each, never one's own idea, safe under
// concurrency thanks to the supports' primary key), and the official answer that every idea past
// the admin's threshold must get, told to its author and supporters. ADR 0135.
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { isUuid } from "../offers/offers.repo.ts";
import {
  ANSWER_STATUSES,
  IDEA_CATEGORIES,
  type AnswerStatus,
  type IdeaCategory,
} from "./ideas.tables.ts";
import "./ideas.tables.ts";

export const DEFAULT_THRESHOLD = 20;

export interface FieldProblem {
  field: string;
  key: string;
}

export function threshold(settings: Record<string, unknown>): number {
  const value = Number(settings.threshold);
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_THRESHOLD;
}

export async function findIdea(db: Db, id: string) {
  if (!isUuid(id)) return undefined;
  return db
    .selectFrom("ideas as i")
    .leftJoin("users as u", "u.id", "i.author_id")
    .selectAll("i")
    .select("u.display_name as author")
    .where("i.id", "=", id)
    .executeTakeFirst();
}
export type Idea = NonNullable<Awaited<ReturnType<typeof findIdea>>>;

export async function listIdeas(
  db: Db,
  filter: { category?: IdeaCategory; awaitingFrom?: number; limit?: number } = {},
) {
  let query = db
    .selectFrom("ideas as i")
    .leftJoin("users as u", "u.id", "i.author_id")
    .selectAll("i")
    .select("u.display_name as author")
    .where("i.removed_reason", "is", null);
  if (filter.category) query = query.where("i.category", "=", filter.category);
  // Awaiting an answer: still open, and as many supports as the threshold or more.
  if (filter.awaitingFrom !== undefined)
    query = query.where("i.status", "=", "open").where("i.supports", ">=", filter.awaitingFrom);
  return query
    .orderBy("i.supports", "desc")
    .orderBy("i.created_at", "desc")
    .limit(filter.limit ?? 200)
    .execute();
}

export async function propose(
  db: Db,
  authorId: string,
  input: { category: string; title: string; body: string },
): Promise<Result<{ id: string }, "invalid">> {
  const problems: FieldProblem[] = [];
  const title = input.title.trim();
  const body = input.body.trim();
  if (!(IDEA_CATEGORIES as readonly string[]).includes(input.category))
    problems.push({ field: "category", key: "ideas:errors.category" });
  if (title.length < 3 || title.length > 150)
    problems.push({ field: "title", key: "ideas:errors.title" });
  if (body.length < 10 || body.length > 5000)
    problems.push({ field: "body", key: "ideas:errors.body" });
  if (problems.length) return fail("invalid", { problems });
  const row = await db
    .insertInto("ideas")
    .values({ author_id: authorId, category: input.category as IdeaCategory, title, body })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok({ id: row.id });
}

/**
 * One support per member: the insert that conflicts with an earlier support changes nothing, so
 * two clicks at once (or a replayed form) count once; the counter moves in the same transaction.
 */
export async function support(
  tx: Tx,
  idea: Idea,
  userId: string,
): Promise<Result<{ supports: number }, "own" | "already" | "closed">> {
  if (idea.author_id === userId) return fail("own");
  if (idea.removed_reason !== null || idea.status === "declined" || idea.status === "done")
    return fail("closed");
  const inserted = await tx.db
    .insertInto("idea_supports")
    .values({ idea_id: idea.id, user_id: userId })
    .onConflict((oc) => oc.doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (!inserted) return fail("already");
  const row = await tx.db
    .updateTable("ideas")
    .set((eb) => ({ supports: eb("supports", "+", 1) }))
    .where("id", "=", idea.id)
    .returning("supports")
    .executeTakeFirstOrThrow();
  return ok({ supports: row.supports });
}

export async function hasSupported(db: Db, ideaId: string, userId: string | undefined) {
  if (!userId) return false;
  const row = await db
    .selectFrom("idea_supports")
    .select("user_id")
    .where("idea_id", "=", ideaId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function answers(db: Db, ideaId: string) {
  return db
    .selectFrom("idea_answers")
    .select(["status", "body", "created_at"])
    .where("idea_id", "=", ideaId)
    .orderBy("created_at")
    .execute();
}

/** The official answer: its status becomes the idea's; author and supporters are told. */
export async function answer(
  tx: Tx,
  deps: { publicUrl: URL },
  input: { idea: Idea; staffId: string; status: string; body: string },
): Promise<Result<void, "invalid">> {
  const body = input.body.trim().slice(0, 5000);
  const problems: FieldProblem[] = [];
  if (!(ANSWER_STATUSES as readonly string[]).includes(input.status))
    problems.push({ field: "status", key: "ideas:errors.status" });
  // "Non retenue" without a reason is no answer: the member must learn why.
  if (input.status === "declined" && body.length < 3)
    problems.push({ field: "answer", key: "ideas:errors.reason" });
  if (problems.length) return fail("invalid", { problems });
  const status = input.status as AnswerStatus;
  await tx.db
    .insertInto("idea_answers")
    .values({ idea_id: input.idea.id, status, body, answered_by: input.staffId })
    .execute();
  await tx.db.updateTable("ideas").set({ status }).where("id", "=", input.idea.id).execute();
  const supporters = await tx.db
    .selectFrom("idea_supports")
    .select("user_id")
    .where("idea_id", "=", input.idea.id)
    .execute();
  const told = new Set([input.idea.author_id, ...supporters.map((s) => s.user_id)]);
  for (const userId of told)
    if (userId)
      await notify(tx, deps.publicUrl, {
        userId,
        kind: "ideas:answered",
        data: { title: input.idea.title, status },
        link: `/idees/${input.idea.id}`,
      });
  return ok(undefined);
}

/** The moderation's setter: hides the idea with its reason, or shows it again (null). */
export async function setRemoved(tx: Tx, id: string, reason: string | null): Promise<void> {
  await tx.db.updateTable("ideas").set({ removed_reason: reason }).where("id", "=", id).execute();
}
