// Consultations: staff write one (questions, introduction, documents, audience, dates, quorum,
// rules), open it and close it; eligible members answer once, by secret ballot (ADR 0130): the
// participation and the ballot are written in one transaction, and the participation's primary
// key refuses a second answer, also under concurrent answers.
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notifyParticipants } from "./closing.ts";
import { isUuid } from "../offers/offers.repo.ts";
import { phaseOf, type Consultation, type Question } from "./consultations.repo.ts";
import type {
  Answers,
  Audience,
  ConsultationDocument,
  QuestionKind,
} from "./consultations.tables.ts";

export interface ConsultationInput {
  title: string;
  intro: string;
  rules: string;
  documents: ConsultationDocument[];
  audience: Audience;
  offerId: string | null;
  opensAt: Date;
  closesAt: Date;
  quorum: number | null;
}

export type EditError = "dates" | "offer" | "not_draft";

async function checkInput(db: Db, input: ConsultationInput): Promise<EditError | undefined> {
  if (input.closesAt <= input.opensAt) return "dates";
  if (input.audience === "offer") {
    if (!input.offerId || !isUuid(input.offerId)) return "offer";
    const offer = await db
      .selectFrom("offers")
      .select("id")
      .where("id", "=", input.offerId)
      .executeTakeFirst();
    if (!offer) return "offer";
  }
  return undefined;
}

const columns = (input: ConsultationInput) => ({
  title: input.title.trim(),
  intro: input.intro.trim(),
  rules: input.rules.trim(),
  documents: JSON.stringify(input.documents),
  audience: input.audience,
  offer_id: input.audience === "offer" ? input.offerId : null,
  opens_at: input.opensAt,
  closes_at: input.closesAt,
  quorum: input.quorum,
});

export async function createConsultation(
  db: Db,
  staff: User,
  input: ConsultationInput,
): Promise<Result<string, EditError>> {
  const wrong = await checkInput(db, input);
  if (wrong) return fail(wrong);
  const row = await db
    .insertInto("consultations")
    .values({ ...columns(input), created_by: staff.id })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok(row.id);
}

/** A draft is edited freely; once open, the questions and audience stay as members saw them. */
export async function updateConsultation(
  db: Db,
  c: Consultation,
  input: ConsultationInput,
): Promise<Result<void, EditError>> {
  const wrong = await checkInput(db, input);
  if (wrong) return fail(wrong);
  const values = columns(input);
  if (c.status !== "draft") {
    if (input.audience !== c.audience || values.offer_id !== c.offerId) return fail("not_draft");
  }
  await db
    .updateTable("consultations")
    .set({ ...values, updated_at: new Date() })
    .where("id", "=", c.id)
    .execute();
  return ok(undefined);
}

export interface QuestionInput {
  kind: QuestionKind;
  prompt: string;
  options: string[];
  maxChoices: number | null;
}

export type QuestionError = "not_draft" | "options" | "max_choices";

export async function addQuestion(
  db: Db,
  c: Consultation,
  input: QuestionInput,
): Promise<Result<string, QuestionError>> {
  if (c.status !== "draft") return fail("not_draft");
  const choice = input.kind === "single" || input.kind === "multiple" || input.kind === "ranking";
  const options = choice ? input.options.map((o) => o.trim()).filter(Boolean) : [];
  if (
    choice &&
    (options.length < 2 || options.length > 20 || new Set(options).size !== options.length)
  )
    return fail("options");
  const max = input.kind === "multiple" ? input.maxChoices : null;
  if (max !== null && (max < 1 || max > options.length)) return fail("max_choices");
  const position = c.questions.reduce((m, q) => Math.max(m, q.position), 0) + 1;
  const row = await db
    .insertInto("consultation_questions")
    .values({
      consultation_id: c.id,
      position,
      kind: input.kind,
      prompt: input.prompt.trim(),
      options: JSON.stringify(options),
      max_choices: max,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok(row.id);
}

export async function removeQuestion(
  db: Db,
  c: Consultation,
  questionId: string,
): Promise<Result<void, "not_draft">> {
  if (c.status !== "draft") return fail("not_draft");
  if (!isUuid(questionId)) return ok(undefined);
  await db
    .deleteFrom("consultation_questions")
    .where("consultation_id", "=", c.id)
    .where("id", "=", questionId)
    .execute();
  return ok(undefined);
}

/** Opens a draft: members may answer from its opening date (at once if it is past). */
export async function open(
  db: Db,
  c: Consultation,
): Promise<Result<void, "not_draft" | "no_questions">> {
  if (c.status !== "draft") return fail("not_draft");
  if (c.questions.length === 0) return fail("no_questions");
  await db
    .updateTable("consultations")
    .set({ status: "open", updated_at: new Date() })
    .where("id", "=", c.id)
    .where("status", "=", "draft")
    .execute();
  return ok(undefined);
}

export type AnswerRefusal = "not_open" | "not_eligible" | "already_answered";

/** Who may answer: every active member, or for an activity's consultation its participants. */
export async function eligible(db: Db, c: Consultation, user: User): Promise<boolean> {
  if (c.audience !== "offer") return true;
  const registration = await db
    .selectFrom("offer_registrations")
    .select("id")
    .where("offer_id", "=", c.offerId!)
    .where("user_id", "=", user.id)
    .where("status", "=", "confirmed")
    .executeTakeFirst();
  return registration !== undefined;
}

export async function hasAnswered(
  db: Db,
  consultationId: string,
  userId: string,
): Promise<boolean> {
  const row = await db
    .selectFrom("consultation_participations")
    .select("user_id")
    .where("consultation_id", "=", consultationId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * One secret ballot: the participation first (its primary key decides between concurrent
 * answers of one member), then the ballot, which names nobody. Both or neither are written.
 */
export async function answer(
  tx: Tx,
  c: Consultation,
  user: User,
  answers: Answers,
  now = new Date(),
): Promise<Result<void, AnswerRefusal>> {
  if (phaseOf(c, now) !== "open") return fail("not_open");
  if (!(await eligible(tx.db, c, user))) return fail("not_eligible");
  const took = await tx.db
    .insertInto("consultation_participations")
    .values({ consultation_id: c.id, user_id: user.id })
    .onConflict((oc) => oc.columns(["consultation_id", "user_id"]).doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (!took) return fail("already_answered");
  await tx.db
    .insertInto("consultation_ballots")
    .values({ consultation_id: c.id, channel: "online", answers: JSON.stringify(answers) })
    .execute();
  return ok(undefined);
}

export type PaperError = "draft" | "answered" | "count";

/**
 * Paper ballots entered by a staff member: `count` identical ballots (a pile sorted by answer),
 * added to the count as ballots of channel `paper`, and the batch traced (who, how many, when).
 */
export async function enterPaper(
  tx: Tx,
  c: Consultation,
  staff: User,
  answers: Answers,
  count: number,
  note: string,
): Promise<Result<void, PaperError>> {
  if (c.status === "draft") return fail("draft");
  if (c.response !== null) return fail("answered");
  if (!Number.isInteger(count) || count < 1 || count > 10000) return fail("count");
  await tx.db
    .insertInto("consultation_paper_batches")
    .values({
      consultation_id: c.id,
      entered_by: staff.id,
      entered_by_name: staff.displayName,
      ballots: count,
      note: note.trim().slice(0, 300),
    })
    .execute();
  const json = JSON.stringify(answers);
  await tx.db
    .insertInto("consultation_ballots")
    .values(
      Array.from({ length: count }, () => ({
        consultation_id: c.id,
        channel: "paper" as const,
        answers: json,
      })),
    )
    .execute();
  return ok(undefined);
}

export async function paperBatches(db: Db, consultationId: string) {
  return db
    .selectFrom("consultation_paper_batches")
    .select(["id", "entered_by_name", "ballots", "note", "created_at"])
    .where("consultation_id", "=", consultationId)
    .orderBy("created_at")
    .execute();
}

/**
 * The organiser's response ("ce que nous avons décidé et pourquoi"), after the close; every
 * member who answered online is told (their participation says they took part, not how).
 */
export async function publishResponse(
  tx: Tx,
  publicUrl: URL,
  c: Consultation,
  text: string,
  now = new Date(),
): Promise<Result<void, "not_closed">> {
  if (phaseOf(c, now) !== "closed") return fail("not_closed");
  const first = c.response === null;
  await tx.db
    .updateTable("consultations")
    .set({ response: text.trim(), response_at: now, status: "closed", updated_at: now })
    .where("id", "=", c.id)
    .execute();
  if (first) await notifyParticipants(tx, publicUrl, c, "consultations:response");
  return ok(undefined);
}

export type { Question };
