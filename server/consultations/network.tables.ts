// Tables of network consultations (migration 0131, ADR 0131). On the organiser, network votes are
// known by the sending instance and a per-member token only; on a member instance, the received
// consultations and who took part (never the answers).
import type { ColumnType, Generated } from "kysely";
import type { CreatedAt } from "../db/types.ts";
import type { QuestionKind } from "./consultations.tables.ts";

type Json<T> = ColumnType<T, string, string>;

/** A question as the organiser published it (its id is the organiser's). */
export interface RemoteQuestion {
  id: string;
  position: number;
  kind: QuestionKind;
  prompt: string;
  options: string[];
  maxChoices: number | null;
}

/** The counts the organiser published at close. */
export interface RemoteResults {
  ballots: number;
  /** False below the organiser's quorum (absent from instances before it was sent). */
  representative?: boolean;
  byInstance: { host: string; ballots: number }[];
  questions: { prompt: string; options: { label: string; count: number }[] }[];
}

export interface NetworkTables {
  consultation_network_votes: {
    consultation_id: string;
    instance_host: string;
    token: string;
    created_at: CreatedAt;
  };
  consultation_network_refusals: {
    consultation_id: string;
    instance_host: string;
    reason: string;
    count: Generated<number>;
  };
  consultation_mastodon_votes: {
    consultation_id: string;
    actor_uri: string;
    option_index: number;
    created_at: CreatedAt;
  };
  consultation_remote: {
    id: Generated<string>;
    uri: string;
    url: string;
    organiser_uri: string;
    territory: string;
    title: string;
    intro: Generated<string>;
    questions: Json<RemoteQuestion[]>;
    ends_at: Date;
    closed: Generated<boolean>;
    results: ColumnType<RemoteResults | null, string | null | undefined, string | null>;
    received_at: CreatedAt;
    updated_at: CreatedAt;
  };
  consultation_remote_participations: {
    remote_id: string;
    user_id: string;
    activity_id: string;
    refused: string | null;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends NetworkTables {}
}
