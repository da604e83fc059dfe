// What budgets bring to federation (ADR 0136): the port through which network budgets are
// published at their vote's opening and close and members' votes are sent, and the inbox routes
// keeping the network's budgets and counting the votes other instances send. The Question is not
// served at its URL (the budget's HTML page): Fedify takes one dispatcher per object type, which
// consultations hold; the Create and Update carry it whole.
import type { FederationModule } from "../module.ts";
import { budgetsInbox } from "./budgets.inbox.ts";
import { budgetsPort } from "./budgets.port.ts";
import { proposalsInbox, proposalsPort } from "./proposals.ts";

export const budgetsFederation: FederationModule = {
  name: "budgets",
  ports: (runtime) => ({
    budgets: budgetsPort(runtime),
    budgetProposals: proposalsPort(runtime),
  }),
  // Proposals from other instances to our network budgets, and their answers (ADR 0138).
  inbox: [...budgetsInbox, ...proposalsInbox],
};
