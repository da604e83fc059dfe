// What proposals to network budgets need from federation (ADR 0138): a member's proposal goes to
// the organiser signed by this instance's actor; the organiser's staff decision goes back to the
// proposing instance. `federation/budgets/proposals.ts` implements it.
import type { Tx } from "../db/transaction.ts";

export interface ProposalOut {
  budgetUri: string;
  organiserUri: string;
  title: string;
  description: string;
  cost: number;
  /** The name the member agreed to show; nothing else about them leaves. */
  shownName: string;
}

export interface DecisionOut {
  /** The proposal activity's id and the instance actor that sent it. */
  activityId: string;
  actorUri: string;
  decision: "accepted" | "rejected";
  reason: string;
  projectUrl: string;
}

export interface BudgetProposalsPort {
  /** Sends a member's proposal to the organiser; the id of the activity sent. */
  proposed(tx: Tx, proposal: ProposalOut): Promise<string>;
  /** Tells the proposing instance what staff decided. */
  decided(tx: Tx, decision: DecisionOut): Promise<void>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    budgetProposals?: BudgetProposalsPort;
  }
}
