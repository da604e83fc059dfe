// The consultations' tables (migration 0130, ADR 0130). Ballots and participations share only
// the consultation: no column links an answer to its voter.
import type { ColumnType, Generated } from "kysely";
import type { CreatedAt, NullableTimestamp } from "../db/types.ts";

export type QuestionKind = "single" | "multiple" | "ranking" | "scale" | "text";
export const QUESTION_KINDS: readonly QuestionKind[] = [
  "single",
  "multiple",
  "ranking",
  "scale",
  "text",
];
export type Audience = "instance" | "network" | "offer";
export const AUDIENCES: readonly Audience[] = ["instance", "network", "offer"];
export type ConsultationStatus = "draft" | "open" | "closed";
export type Channel = "online" | "paper" | "network";

export interface ConsultationDocument {
  title: string;
  url: string;
}

/** One ballot's answers, by question id: an option index, indexes, a ranking, 1–5 or text. */
export type Answers = Record<string, number | number[] | string>;

type Json<T> = ColumnType<T, string, string>;

export interface ConsultationTables {
  consultations: {
    id: Generated<string>;
    title: string;
    intro: Generated<string>;
    rules: Generated<string>;
    documents: ColumnType<ConsultationDocument[], string | undefined, string>;
    audience: Generated<Audience>;
    offer_id: string | null;
    status: Generated<ConsultationStatus>;
    opens_at: Date;
    closes_at: Date;
    quorum: number | null;
    response: string | null;
    response_at: NullableTimestamp;
    created_by: string | null;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  consultation_questions: {
    id: Generated<string>;
    consultation_id: string;
    position: number;
    kind: QuestionKind;
    prompt: string;
    options: Json<string[]>;
    max_choices: number | null;
  };
  consultation_ballots: {
    id: Generated<string>;
    consultation_id: string;
    channel: Channel;
    instance_host: string | null;
    answers: Json<Answers>;
    cast_on: ColumnType<Date, never, never>;
  };
  consultation_participations: {
    consultation_id: string;
    user_id: string;
    created_at: CreatedAt;
  };
  consultation_paper_batches: {
    id: Generated<string>;
    consultation_id: string;
    entered_by: string | null;
    entered_by_name: string;
    ballots: number;
    note: Generated<string>;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends ConsultationTables {}
}
