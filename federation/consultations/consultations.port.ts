// The consultations' port (ADR 0131). Opened, a network consultation goes out as a Create of its
// Question; closed (or its response published), as an Update carrying the counts. They go to the
// CMCAS's followers and, on the hub, to the instance actor of every accepted member of the
// network, so every instance of the network receives it without following the hub. A member's
// answer to another instance's consultation goes to its organiser as a vote signed by our
// instance actor: a Note in reply to the Question, named after the chosen option when it is a
// plain poll (as Mastodon votes are), carrying the answers and the per-member token.
import "../temporal.ts";
import { Create, Note, Update } from "@fedify/vocab";
import { findConsultation } from "../../server/consultations/consultations.repo.ts";
import type { ConsultationsPort } from "../../server/consultations/consultations.port.ts";
import { networkSettings } from "../../server/consultations/network.service.ts";
import { results } from "../../server/consultations/results.ts";
import type { Tx } from "../../server/db/transaction.ts";
import type { FederationDeps } from "../deps.ts";
import { publish, sendToActors } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, INSTANCE_ACTOR, newActivityId } from "../uris.ts";
import { CONSULTATION_CONTEXT, consultationQuestion } from "./question.ts";

export function consultationsPort(deps: FederationDeps): ConsultationsPort {
  const { app } = deps;
  const publicUrl = app.config.publicUrl;

  async function federate(tx: Tx, id: string, change: "Create" | "Update") {
    const c = await findConsultation(tx.db, id);
    if (!c || c.audience !== "network" || c.status === "draft") return;
    const counted =
      change === "Update" && c.status === "closed"
        ? await results(
            tx.db,
            c,
            networkSettings(app.modules.settings("consultations")).mastodonVotes,
          )
        : undefined;
    const { question, extras } = consultationQuestion(publicUrl, c, counted);
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
      const poll = vote.poll;
      const chosen = poll ? vote.answers[poll.id] : undefined;
      // Mastodon's vote on a single choice names the option; several options, several Notes —
      // ours stays one Note (the answers are in `voteAnswers`), named after the first choice.
      const first = typeof chosen === "number" ? chosen : Array.isArray(chosen) ? chosen[0] : null;
      const name =
        poll && (poll.kind === "single" || poll.kind === "multiple") && typeof first === "number"
          ? poll.options[first]
          : undefined;
      const note = new Note({
        id: new URL(`${activityId.href}#vote`),
        attribution: actor,
        replyTarget: new URL(vote.consultationUri),
        ...(name ? { name } : {}),
        tos: [organiser],
      });
      await sendToActors(
        tx,
        INSTANCE_ACTOR,
        [organiser],
        new Create({ id: activityId, actor, object: note, tos: [organiser] }),
        {
          context: CONSULTATION_CONTEXT,
          fields: {
            voteToken: vote.token,
            voteAnswers: JSON.stringify(vote.answers),
            // The only claim the audiences need today: an active member of the signing instance.
            voteEligibility: "member",
          },
        },
      );
      return activityId.href;
    },
  };
}
