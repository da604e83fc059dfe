// Tables of network budgets (migration 0137, ADR 0133 and 0136). On the organiser, network votes
// are known by the sending instance and a per-member token only; on a member instance, the
// received budgets and who voted (never the choice).
import type { ColumnType, Generated } from "kysely";
import type { CreatedAt } from "../db/types.ts";
import type { Rule } from "./budgets.tables.ts";

type Json<T> = ColumnType<T, string, string>;

/** A project as the organiser published it at the vote's opening (its id is the organiser's). */
export interface RemoteProject {
  id: string;
  title: string;
  cost: number;
  url: string;
}

/** The counts the organiser published at the vote's close: every count, and the winners. */
export interface RemoteBudgetResults {
  ballots: number;
  byChannel: { online: number; paper: number; network: number };
  byInstance: { host: string; ballots: number }[];
  projects: { id: string; votes: number; funded: boolean; rank: number }[];
}

export interface BudgetNetworkTables {
  budget_network_votes: {
    budget_id: string;
    instance_host: string;
    token: string;
    created_at: CreatedAt;
  };
  budget_network_refusals: {
    budget_id: string;
    instance_host: string;
    reason: string;
    count: Generated<number>;
  };
  budget_publications: { budget_id: string; published_at: CreatedAt };
  budget_remote: {
    id: Generated<string>;
    uri: string;
    url: string;
    organiser_uri: string;
    territory: string;
    title: string;
    description: Generated<string>;
    envelope: number;
    rule: Rule;
    projects: Json<RemoteProject[]>;
    starts_at: Date;
    ends_at: Date;
    closed: Generated<boolean>;
    results: ColumnType<RemoteBudgetResults | null, string | null | undefined, string | null>;
    received_at: CreatedAt;
    updated_at: CreatedAt;
  };
  budget_remote_participations: {
    remote_id: string;
    user_id: string;
    activity_id: string;
    refused: string | null;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends BudgetNetworkTables {}
}
