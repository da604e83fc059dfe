import type { Generated } from "kysely";
import type { CreatedAt, Json, NullableTimestamp, Timestamp } from "../db/types.ts";

export const RULES = ["knapsack", "approval"] as const;
export type Rule = (typeof RULES)[number];
export const UPDATE_STATUSES = ["planned", "in_progress", "done", "abandoned"] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];
export const AUDIENCES = ["instance", "network"] as const;
export type Audience = (typeof AUDIENCES)[number];
export type ProjectStatus = "submitted" | "accepted" | "rejected";
/** One field of a budget changed by an edit, with its values before and after (ADR 0139). */
export interface BudgetChange {
  field: string;
  before: string | number;
  after: string | number;
}

export interface BudgetTables {
  budgets: {
    id: Generated<string>;
    title: string;
    description: Generated<string>;
    envelope: number;
    rule: Rule;
    /** Its own members, or the network's through the hub (migration 0137, ADR 0136). */
    audience: Generated<Audience>;
    proposals_open_at: Timestamp;
    proposals_close_at: Timestamp;
    vote_open_at: Timestamp;
    vote_close_at: Timestamp;
    created_by: string | null;
    created_at: CreatedAt;
  };
  /** A budget whose results were announced to its voters (budgets.jobs.ts, migration 0093). */
  budget_announcements: { budget_id: string; announced_at: CreatedAt };
  budget_projects: {
    id: Generated<string>;
    budget_id: string;
    author_id: string | null;
    title: string;
    description: string;
    cost: number;
    status: Generated<ProjectStatus>;
    rejection_reason: string | null;
    reviewed_by: string | null;
    reviewed_at: NullableTimestamp;
    created_at: CreatedAt;
    /** Proposed from another instance (migration 0139, ADR 0138): its host, the instance actor
     * to answer, the name its member agreed to show, the proposal activity's id. */
    origin_host: string | null;
    origin_actor: string | null;
    origin_activity: string | null;
    origin_name: string | null;
  };
  budget_participations: { budget_id: string; user_id: string };
  budget_ballots: {
    id: Generated<string>;
    budget_id: string;
    source: "online" | "paper" | "network";
    /** The instance that sent a network ballot. */
    instance_host: string | null;
    entered_by: string | null;
    entered_at: NullableTimestamp;
  };
  /** The public history of a budget's edits (migration 0148, ADR 0139). */
  budget_edits: {
    id: Generated<string>;
    budget_id: string;
    edited_by: string | null;
    edited_at: CreatedAt;
    changes: Json<BudgetChange[]>;
  };
  budget_ballot_choices: { ballot_id: string; project_id: string };
  budget_project_updates: {
    id: Generated<string>;
    project_id: string;
    status: UpdateStatus;
    note: string;
    happened_on: string;
    created_by: string | null;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends BudgetTables {}
}
