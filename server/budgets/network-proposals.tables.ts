// Tables of proposals to network budgets from other instances (migration 0139, ADR 0138). The
// organiser's side is two columns more on budget_projects (budgets.tables.ts) and the mark of a
// budget sent out at its proposals' opening; a member instance keeps the proposals phase of each
// budget it received and what its members proposed, with the organiser's decision.
import type { Generated } from "kysely";
import type { CreatedAt, NullableTimestamp, Timestamp } from "../db/types.ts";

export type RemoteProposalStatus = "sent" | "accepted" | "rejected" | "refused";

export interface BudgetProposalTables {
  budget_proposal_publications: { budget_id: string; published_at: CreatedAt };
  budget_remote_phases: {
    uri: string;
    organiser_uri: string;
    proposals_open_at: Timestamp;
    proposals_close_at: Timestamp;
  };
  budget_remote_proposals: {
    id: Generated<string>;
    remote_id: string;
    user_id: string | null;
    activity_id: string;
    title: string;
    description: string;
    cost: number;
    shown_name: string;
    status: Generated<RemoteProposalStatus>;
    reason: string | null;
    decided_at: NullableTimestamp;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends BudgetProposalTables {}
}
