// The budgets' port (ADR 0136), as the consultations' (ADR 0131): when its vote opens, a network
// budget goes out as a Create of its Question; at the vote's close, as an Update carrying every
// count. Both go to the CMCAS's followers and, on the hub, to the instance actor of every accepted
// member. A member's vote on another instance's budget goes to its organiser as a Note in reply
// to the Question, signed by our instance actor, with the chosen project ids and the token.
import "../temporal.ts";
import { Create, Note, Update } from "@fedify/vocab";
import { findBudget, listProjects } from "../../server/budgets/budgets.service.ts";
import type { BudgetsPort } from "../../server/budgets/budgets.port.ts";
import { publishedResults } from "../../server/budgets/network.service.ts";
import type { Tx } from "../../server/db/transaction.ts";
import type { FederationDeps } from "../deps.ts";
import { publish, sendToActors } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, INSTANCE_ACTOR, newActivityId } from "../uris.ts";
import { BUDGET_CONTEXT, budgetQuestion } from "./question.ts";

export function budgetsPort(deps: FederationDeps): BudgetsPort {
  const { app } = deps;
  const publicUrl = app.config.publicUrl;

  async function federate(tx: Tx, id: string, change: "Create" | "Update") {
    const budget = await findBudget(tx.db, id);
    if (!budget || budget.audience !== "network") return;
    const results = change === "Update" ? await publishedResults(tx.db, budget) : undefined;
    const projects = await listProjects(tx.db, budget.id);
    const { question, extras } = budgetQuestion(publicUrl, budget, projects, results);
    const values = {
      id: newActivityId(publicUrl),
      actor: actorUri(publicUrl, CMCAS_ACTOR),
      object: question,
      tos: question.toIds,
    };
    const members = app.config.hub
      ? await tx.db
          .selectFrom("hub_members")
          .select("actor_uri")
          .where("state", "=", "accepted")
          .execute()
      : [];
    await publish(tx, CMCAS_ACTOR, change === "Create" ? new Create(values) : new Update(values), {
      followers: true,
      to: members.map((m) => m.actor_uri),
      objectExtras: extras,
    });
  }

  return {
    opened: (tx, id) => federate(tx, id, "Create"),
    closed: (tx, id) => federate(tx, id, "Update"),
    async voted(tx, vote) {
      const activityId = newActivityId(publicUrl);
      const actor = actorUri(publicUrl, INSTANCE_ACTOR);
      const organiser = new URL(vote.organiserUri);
      const note = new Note({
        id: new URL(`${activityId.href}#vote`),
        attribution: actor,
        replyTarget: new URL(vote.budgetUri),
        tos: [organiser],
      });
      await sendToActors(
        tx,
        INSTANCE_ACTOR,
        [organiser],
        new Create({ id: activityId, actor, object: note, tos: [organiser] }),
        {
          context: BUDGET_CONTEXT,
          fields: {
            voteToken: vote.token,
            voteProjects: JSON.stringify(vote.projects),
            voteEligibility: "member",
          },
        },
      );
      return activityId.href;
    },
  };
}
