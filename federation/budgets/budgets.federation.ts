// What budgets bring to federation (ADR 0136): the port through which network budgets are
// published at their vote's opening and close and members' votes are sent, and the inbox routes
// keeping the network's budgets and counting the votes other instances send. The Question is
// served at its URL through the one Question dispatcher, shared with consultations (ADR 0137).
import type { FederationModule } from "../module.ts";
import { budgetQuestions } from "./budgets.dispatcher.ts";
import { budgetsInbox } from "./budgets.inbox.ts";
import { budgetsPort } from "./budgets.port.ts";
import { proposalsInbox, proposalsPort } from "./proposals.ts";

export const budgetsFederation: FederationModule = {
  name: "budgets",
  questions: budgetQuestions,
  ports: (runtime) => ({
    budgets: budgetsPort(runtime),
    budgetProposals: proposalsPort(runtime),
  }),
  // Proposals from other instances to our network budgets, and their answers (ADR 0138).
  inbox: [...budgetsInbox, ...proposalsInbox],
};
