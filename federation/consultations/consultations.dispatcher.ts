// Our network consultations at their own URL: a Question to `Accept: application/activity+json`
// (the HTML page otherwise), only to signed requests of allowed instances, as network objects
// are. Counts appear once closed, as in the Update.
import type { Federation } from "@fedify/fedify";
import { Question } from "@fedify/vocab";
import { findConsultation } from "../../server/consultations/consultations.repo.ts";
import { networkSettings } from "../../server/consultations/network.service.ts";
import { results } from "../../server/consultations/results.ts";
import type { FederationDeps } from "../deps.ts";
import { allowedSigner } from "../signed.ts";
import { withObjectExtras } from "../extras.ts";
import { consultationQuestion } from "./question.ts";

export function registerQuestions(federation: Federation<void>, deps: FederationDeps): void {
  const { app } = deps;
  const published = async (id: string) => {
    const c = await findConsultation(app.db, id);
    return c && c.audience === "network" && c.status !== "draft" ? c : undefined;
  };
  federation
    .setObjectDispatcher(Question, "/consultations/{id}", async (_ctx, { id }) => {
      const c = await published(id);
      if (!c) return null;
      const counted =
        c.status === "closed"
          ? await results(
              app.db,
              c,
              networkSettings(app.modules.settings("consultations")).mastodonVotes,
            )
          : undefined;
      const { question, extras } = consultationQuestion(app.config.publicUrl, c, counted);
      // The Question is the document itself: its extra terms sit at its top level.
      return withObjectExtras(question, {
        context: extras.context,
        fields: {},
        activityFields: extras.fields,
      });
    })
    .authorize(async (ctx, { id }) => {
      if (!(await published(id))) return true;
      return (await allowedSigner(ctx, deps)) !== null;
    });
}
