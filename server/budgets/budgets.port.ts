// What budgets need from federation (ADR 0133, 0136): a network budget whose vote opened goes out
// as a Question (Create), its results at the vote's close as an Update with every count, and a
// member's vote on another instance's budget goes to its organiser, signed by this instance.
// `federation/budgets` implements it; the composition root puts it in `ctx.ports.budgets`.
import type { Tx } from "../db/transaction.ts";

export interface BudgetVoteOut {
  budgetUri: string;
  organiserUri: string;
  token: string;
  /** The organiser's ids of the chosen projects. */
  projects: string[];
}

export interface BudgetsPort {
  opened(tx: Tx, budgetId: string): Promise<void>;
  closed(tx: Tx, budgetId: string): Promise<void>;
  /** Sends a member's vote to the organiser; the id of the activity sent. */
  voted?(tx: Tx, vote: BudgetVoteOut): Promise<string>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    budgets?: BudgetsPort;
  }
}
