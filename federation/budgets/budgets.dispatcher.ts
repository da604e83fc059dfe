// Our network budgets at their own URL (/budgets/{id}, the id their Create and Update carry): a
// Question to `Accept: application/activity+json` (the HTML page otherwise), through the one
// Question dispatcher (federation/questions.ts, ADR 0137), only to signed requests of allowed
// instances. Served once its proposals have opened (when the first Create went out), with the
// projects accepted so far; once the vote has closed, with every count, as in the Update.
import { findBudget, listProjects, phaseOf } from "../../server/budgets/budgets.service.ts";
import { publishedResults } from "../../server/budgets/network.service.ts";
import type { FederationDeps } from "../deps.ts";
import type { QuestionSource } from "../questions.ts";
import { budgetQuestion } from "./question.ts";

export function budgetQuestions(deps: FederationDeps): QuestionSource {
  const { app } = deps;
  // Published from its proposals' opening (ADR 0138), as the Create that went out then.
  const published = async (id: string) => {
    const budget = await findBudget(app.db, id);
    return budget?.audience === "network" && phaseOf(budget) !== "upcoming" ? budget : undefined;
  };
  return {
    kind: "budgets",
    served: async (id) => (await published(id)) !== undefined,
    async question(id) {
      const budget = await published(id);
      if (!budget) return undefined;
      const phase = phaseOf(budget);
      const results = phase === "results" ? await publishedResults(app.db, budget) : undefined;
      const projects = await listProjects(app.db, budget.id);
      return budgetQuestion(app.config.publicUrl, budget, projects, results);
    },
  };
}
