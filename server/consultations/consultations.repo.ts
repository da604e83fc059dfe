// Reading and writing consultations and their questions (typed SQL). Ballots and participations
// are written by the answer service only (ballots.service.ts).
import type { Db } from "../db/database.ts";
import { isUuid } from "../offers/offers.repo.ts";
import type {
  Audience,
  ConsultationDocument,
  ConsultationStatus,
  QuestionKind,
} from "./consultations.tables.ts";

export interface Question {
  id: string;
  position: number;
  kind: QuestionKind;
  prompt: string;
  options: string[];
  maxChoices: number | null;
}

export interface Consultation {
  id: string;
  title: string;
  intro: string;
  rules: string;
  documents: ConsultationDocument[];
  audience: Audience;
  offerId: string | null;
  status: ConsultationStatus;
  opensAt: Date;
  closesAt: Date;
  quorum: number | null;
  response: string | null;
  responseAt: Date | null;
  createdAt: Date;
  questions: Question[];
}

export type Phase = "draft" | "scheduled" | "open" | "closed";

export const phaseOf = (
  c: Pick<Consultation, "status" | "opensAt" | "closesAt">,
  now = new Date(),
): Phase =>
  c.status === "draft"
    ? "draft"
    : c.status === "closed" || now >= c.closesAt
      ? "closed"
      : now < c.opensAt
        ? "scheduled"
        : "open";

type Row = {
  id: string;
  title: string;
  intro: string;
  rules: string;
  documents: ConsultationDocument[] | string;
  audience: Audience;
  offer_id: string | null;
  status: ConsultationStatus;
  opens_at: Date;
  closes_at: Date;
  quorum: number | null;
  response: string | null;
  response_at: Date | null;
  created_at: Date;
};

const json = <T>(value: T | string): T =>
  typeof value === "string" ? (JSON.parse(value) as T) : value;

const toConsultation = (r: Row, questions: Question[]): Consultation => ({
  id: r.id,
  title: r.title,
  intro: r.intro,
  rules: r.rules,
  documents: json(r.documents),
  audience: r.audience,
  offerId: r.offer_id,
  status: r.status,
  opensAt: r.opens_at,
  closesAt: r.closes_at,
  quorum: r.quorum,
  response: r.response,
  responseAt: r.response_at,
  createdAt: r.created_at,
  questions,
});

export async function listQuestions(db: Db, consultationId: string): Promise<Question[]> {
  const rows = await db
    .selectFrom("consultation_questions")
    .selectAll()
    .where("consultation_id", "=", consultationId)
    .orderBy("position")
    .execute();
  return rows.map((q) => ({
    id: q.id,
    position: q.position,
    kind: q.kind,
    prompt: q.prompt,
    options: json(q.options as string[] | string),
    maxChoices: q.max_choices,
  }));
}

export async function findConsultation(db: Db, id: string): Promise<Consultation | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom("consultations")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toConsultation(row, await listQuestions(db, row.id));
}

/** Consultations members may see (not drafts), latest close first; staff also see drafts. */
export async function listConsultations(
  db: Db,
  options: { drafts?: boolean; offerId?: string; limit?: number } = {},
): Promise<Consultation[]> {
  let query = db.selectFrom("consultations").selectAll().orderBy("closes_at", "desc");
  if (!options.drafts) query = query.where("status", "!=", "draft");
  if (options.offerId) query = query.where("offer_id", "=", options.offerId);
  const rows = await query.limit(options.limit ?? 200).execute();
  return rows.map((r) => toConsultation(r, []));
}
