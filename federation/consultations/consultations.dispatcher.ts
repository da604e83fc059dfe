// Our network consultations at their own URL (/consultations/{id}): a Question to
// `Accept: application/activity+json` (the HTML page otherwise), through the one Question
// dispatcher (federation/questions.ts), only to signed requests of allowed instances, as network
// objects are. Counts appear once closed, as in the Update.
import { findConsultation } from "../../server/consultations/consultations.repo.ts";
import { networkSettings } from "../../server/consultations/network.service.ts";
import { results } from "../../server/consultations/results.ts";
import type { FederationDeps } from "../deps.ts";
import type { QuestionSource } from "../questions.ts";
import { consultationQuestion } from "./question.ts";

export function consultationQuestions(deps: FederationDeps): QuestionSource {
  const { app } = deps;
  const published = async (id: string) => {
    const c = await findConsultation(app.db, id);
    return c && c.audience === "network" && c.status !== "draft" ? c : undefined;
  };
  return {
    kind: "consultations",
    served: async (id) => (await published(id)) !== undefined,
    async question(id) {
      const c = await published(id);
      if (!c) return undefined;
      const counted =
        c.status === "closed"
          ? await results(
              app.db,
              c,
              networkSettings(app.modules.settings("consultations")).mastodonVotes,
            )
          : undefined;
      return consultationQuestion(app.config.publicUrl, c, counted);
    },
  };
}
