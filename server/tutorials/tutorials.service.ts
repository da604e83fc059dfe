// Writing tutorials: their description, their ordered steps, co-authors, publication and removal
// with a reason. Step text is the forums' safe rich text (Markdown rendered once, sanitized).
import { sql } from "kysely";
import type { User } from "../accounts/accounts.repo.ts";
import { findUserByUsername } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { renderMarkdown } from "../forums/richtext.ts";
import { isUuid } from "./tutorials.repo.ts";
import type { Difficulty, Licence, TutorialVisibility } from "./tutorials.tables.ts";

export interface TutorialInput {
  title: string;
  summary: string;
  categoryId: string;
  tags: string[];
  difficulty: Difficulty;
  durationMinutes: number | null;
  costCents: number | null;
  materials: string;
  tools: string;
  licence: Licence;
  visibility: TutorialVisibility;
}

export interface StepInput {
  title: string;
  source: string;
  videoUrl: string | null;
}

export const MAX_STEPS = 60;
export const MAX_STEP_IMAGES = 6;

/** Tags as typed, comma-separated: lower case, without "#", unique, at most ten. */
export function parseTags(text: string): string[] {
  const tags = text
    .split(/[,;]/)
    .map((t) => t.trim().replace(/^#+/, "").toLowerCase().replace(/\s+/g, "-").slice(0, 40))
    .filter((t) => /^[\p{L}\p{N}_-]+$/u.test(t));
  return [...new Set(tags)].slice(0, 10);
}

/** Rebuilds the search vector: title (A), summary and tags (B), steps (C), plurals folded. */
export async function refreshSearch(db: Db, tutorialId: string): Promise<void> {
  await sql`update tutorials t set search = maillage_fold_plurals(
      setweight(to_tsvector('maillage_fr', t.title), 'A')
      || setweight(to_tsvector('maillage_fr', t.summary || ' ' || array_to_string(t.tags, ' ')), 'B')
      || setweight(to_tsvector('maillage_fr', coalesce((select string_agg(s.title || ' ' || s.text_plain, ' ')
           from tutorial_steps s where s.tutorial_id = t.id), '')), 'C')),
      updated_at = now()
    where t.id = ${tutorialId}`.execute(db);
}

async function categoryOk(db: Db, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const row = await db
    .selectFrom("tutorial_categories")
    .select("id")
    .where("id", "=", id)
    .where("archived_at", "is", null)
    .executeTakeFirst();
  return row !== undefined;
}

const columns = (input: TutorialInput) => ({
  title: input.title.trim(),
  summary: input.summary.trim(),
  category_id: input.categoryId,
  tags: input.tags,
  difficulty: input.difficulty,
  duration_minutes: input.durationMinutes,
  cost_cents: input.costCents,
  materials: input.materials.trim(),
  tools: input.tools.trim(),
  licence: input.licence,
  visibility: input.visibility,
});

export async function createTutorial(
  tx: Tx,
  author: User,
  input: TutorialInput,
): Promise<Result<string, "category">> {
  if (!(await categoryOk(tx.db, input.categoryId))) return fail("category");
  const row = await tx.db
    .insertInto("tutorials")
    .values({ ...columns(input), author_id: author.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  await refreshSearch(tx.db, row.id);
  return ok(row.id);
}

export async function updateTutorial(
  tx: Tx,
  tutorialId: string,
  input: TutorialInput,
): Promise<Result<void, "category">> {
  if (!(await categoryOk(tx.db, input.categoryId))) return fail("category");
  await tx.db.updateTable("tutorials").set(columns(input)).where("id", "=", tutorialId).execute();
  await refreshSearch(tx.db, tutorialId);
  return ok(undefined);
}

export async function publish(tx: Tx, tutorialId: string): Promise<Result<void, "no_steps">> {
  const steps = await tx.db
    .selectFrom("tutorial_steps")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("tutorial_id", "=", tutorialId)
    .executeTakeFirstOrThrow();
  if (Number(steps.n) === 0) return fail("no_steps");
  await tx.db
    .updateTable("tutorials")
    .set({
      status: "published",
      removal_reason: null,
      published_at: sql<Date>`coalesce(published_at, now())`,
      updated_at: new Date(),
    })
    .where("id", "=", tutorialId)
    .execute();
  return ok(undefined);
}

export async function unpublish(tx: Tx, tutorialId: string): Promise<void> {
  await tx.db
    .updateTable("tutorials")
    .set({ status: "draft", removal_reason: null, updated_at: new Date() })
    .where("id", "=", tutorialId)
    .execute();
}

/** Staff take a tutorial down: the reason is kept, shown to its authors and told to them. */
export async function removeTutorial(
  tx: Tx,
  publicUrl: URL,
  input: { tutorialId: string; reason: string },
): Promise<Result<void, "reason_required" | "not_found">> {
  const reason = input.reason.trim().slice(0, 1000);
  if (reason.length < 3) return fail("reason_required");
  const row = await tx.db
    .updateTable("tutorials")
    .set({ status: "removed", removal_reason: reason, updated_at: new Date() })
    .where("id", "=", input.tutorialId)
    .returning(["author_id", "title"])
    .executeTakeFirst();
  if (!row) return fail("not_found");
  const coauthors = await tx.db
    .selectFrom("tutorial_coauthors")
    .select("user_id")
    .where("tutorial_id", "=", input.tutorialId)
    .execute();
  const people = [row.author_id, ...coauthors.map((c) => c.user_id)].filter(
    (id): id is string => id !== null,
  );
  for (const userId of people)
    await notify(tx, publicUrl, {
      userId,
      kind: "tutorials:removed",
      data: { title: row.title, reason },
      link: `/tutorials/${input.tutorialId}`,
    });
  return ok(undefined);
}

function rendered(input: StepInput, localHost: string) {
  const { html, text } = renderMarkdown(input.source, localHost);
  return {
    title: input.title.trim(),
    source: input.source,
    content_html: html,
    text_plain: text,
    video_url: input.videoUrl,
  };
}

export async function addStep(
  tx: Tx,
  localHost: string,
  tutorialId: string,
  input: StepInput,
): Promise<Result<string, "too_many">> {
  // The tutorial's row is locked so that two steps added at once get different positions.
  await tx.db
    .selectFrom("tutorials")
    .select("id")
    .where("id", "=", tutorialId)
    .forUpdate()
    .execute();
  const last = await tx.db
    .selectFrom("tutorial_steps")
    .select((eb) => eb.fn.max<number | null>("position").as("max"))
    .where("tutorial_id", "=", tutorialId)
    .executeTakeFirstOrThrow();
  const position = (last.max ?? 0) + 1;
  if (position > MAX_STEPS) return fail("too_many");
  const row = await tx.db
    .insertInto("tutorial_steps")
    .values({ tutorial_id: tutorialId, position, ...rendered(input, localHost) })
    .returning("id")
    .executeTakeFirstOrThrow();
  await refreshSearch(tx.db, tutorialId);
  return ok(row.id);
}

export async function editStep(
  tx: Tx,
  localHost: string,
  tutorialId: string,
  stepId: string,
  input: StepInput,
): Promise<Result<void, "not_found">> {
  if (!isUuid(stepId)) return fail("not_found");
  const done = await tx.db
    .updateTable("tutorial_steps")
    .set({ ...rendered(input, localHost), updated_at: new Date() })
    .where("id", "=", stepId)
    .where("tutorial_id", "=", tutorialId)
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) return fail("not_found");
  await refreshSearch(tx.db, tutorialId);
  return ok(undefined);
}

/** Swaps a step with its neighbour (the unique position is checked at commit). */
export async function moveStep(
  tx: Tx,
  tutorialId: string,
  stepId: string,
  direction: "up" | "down",
): Promise<Result<void, "not_found" | "edge">> {
  if (!isUuid(stepId)) return fail("not_found");
  await tx.db
    .selectFrom("tutorials")
    .select("id")
    .where("id", "=", tutorialId)
    .forUpdate()
    .execute();
  const step = await tx.db
    .selectFrom("tutorial_steps")
    .select(["id", "position"])
    .where("id", "=", stepId)
    .where("tutorial_id", "=", tutorialId)
    .executeTakeFirst();
  if (!step) return fail("not_found");
  const target = step.position + (direction === "up" ? -1 : 1);
  const other = await tx.db
    .selectFrom("tutorial_steps")
    .select("id")
    .where("tutorial_id", "=", tutorialId)
    .where("position", "=", target)
    .executeTakeFirst();
  if (!other) return fail("edge");
  await tx.db
    .updateTable("tutorial_steps")
    .set({ position: step.position })
    .where("id", "=", other.id)
    .execute();
  await tx.db
    .updateTable("tutorial_steps")
    .set({ position: target })
    .where("id", "=", step.id)
    .execute();
  await tx.db
    .updateTable("tutorials")
    .set({ updated_at: new Date() })
    .where("id", "=", tutorialId)
    .execute();
  return ok(undefined);
}

/** Removes a step and closes the gap it leaves. */
export async function deleteStep(
  tx: Tx,
  tutorialId: string,
  stepId: string,
): Promise<Result<void, "not_found">> {
  if (!isUuid(stepId)) return fail("not_found");
  await tx.db
    .selectFrom("tutorials")
    .select("id")
    .where("id", "=", tutorialId)
    .forUpdate()
    .execute();
  const gone = await tx.db
    .deleteFrom("tutorial_steps")
    .where("id", "=", stepId)
    .where("tutorial_id", "=", tutorialId)
    .returning("position")
    .executeTakeFirst();
  if (!gone) return fail("not_found");
  await tx.db
    .updateTable("tutorial_steps")
    .set({ position: sql<number>`position - 1` })
    .where("tutorial_id", "=", tutorialId)
    .where("position", ">", gone.position)
    .execute();
  await refreshSearch(tx.db, tutorialId);
  return ok(undefined);
}

export async function addCoauthor(
  tx: Tx,
  publicUrl: URL,
  tutorial: { id: string; title: string; authorId: string | null },
  username: string,
): Promise<Result<void, "unknown_user" | "is_author">> {
  const user = await findUserByUsername(tx.db, username.trim().replace(/^@/, "").toLowerCase());
  if (!user) return fail("unknown_user");
  if (user.id === tutorial.authorId) return fail("is_author");
  const added = await tx.db
    .insertInto("tutorial_coauthors")
    .values({ tutorial_id: tutorial.id, user_id: user.id })
    .onConflict((oc) => oc.doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (added)
    await notify(tx, publicUrl, {
      userId: user.id,
      kind: "tutorials:coauthorAdded",
      data: { title: tutorial.title },
      link: `/tutorials/${tutorial.id}/edit`,
    });
  return ok(undefined);
}

export async function removeCoauthor(tx: Tx, tutorialId: string, userId: string): Promise<void> {
  if (!isUuid(userId)) return;
  await tx.db
    .deleteFrom("tutorial_coauthors")
    .where("tutorial_id", "=", tutorialId)
    .where("user_id", "=", userId)
    .execute();
}

/** A reader opened the page: counted once per request (authors reading their own are not). */
export async function countView(db: Db, tutorialId: string): Promise<void> {
  await db
    .updateTable("tutorials")
    .set({ view_count: sql<number>`view_count + 1` })
    .where("id", "=", tutorialId)
    .execute();
}
