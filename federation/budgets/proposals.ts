// Proposals to network budgets from other instances (ADR 0138).
// Wire: a member's proposal is an `Offer` by their instance actor, `target` the budget's Question,
// `object` a Note (`name` the title, `content` the description) with `proposalCost` and
// `proposerName` (the name the member agreed to show) in our namespace; nothing else about the
// member. The organiser answers with an `Accept` (staff accepted it; `result` the project's page)
// or a `Reject` of that Offer by its CMCAS actor: `summary` "rejected" with the staff's public
// reason as `content`, or the refusal's code on receipt (as the votes' Reject, `rejectVote`).
// The budget's Question carries its proposals phase (`budgetProposalsOpen`, `budgetProposalsClose`)
// and goes out when that phase opens, so member instances know the budget before its vote.
import "../temporal.ts";
import { Accept, Note, Offer, Question, Reject, type Create, type Update } from "@fedify/vocab";
import { findBudget } from "../../server/budgets/budgets.service.ts";
import type { BudgetProposalsPort } from "../../server/budgets/network-proposals.port.ts";
import {
  receiveNetworkProposal,
  recordDecision,
  savePhase,
} from "../../server/budgets/network-proposals.service.ts";
import { embedded, rejectVote, term, voterAllowed } from "../consultations/consultations.inbox.ts";
import type { FederationDeps } from "../deps.ts";
import { route } from "../inbox/route.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, hostOf, INSTANCE_ACTOR, newActivityId } from "../uris.ts";
import { BUDGET_CONTEXT, ownBudgetId } from "./question.ts";

export const PROPOSAL_CONTEXT = {
  ...BUDGET_CONTEXT,
  proposalCost: "maillage:proposalCost",
  proposerName: "maillage:proposerName",
};

const escapeHtml = (s: string) =>
  s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** The description as sent (paragraph, line breaks), back to plain text. */
export const plainText = (html: string) =>
  html
    .replace(/<br\s*\/?>/g, "\n")
    .replace(/<[^>]+>/g, "")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&quot;", '"')
    .replaceAll("&amp;", "&");

export function proposalsPort(deps: FederationDeps): BudgetProposalsPort {
  const publicUrl = deps.app.config.publicUrl;
  return {
    async proposed(tx, p) {
      const activityId = newActivityId(publicUrl);
      const actor = actorUri(publicUrl, INSTANCE_ACTOR);
      const organiser = new URL(p.organiserUri);
      const note = new Note({
        id: new URL(`${activityId.href}#proposal`),
        attribution: actor,
        name: p.title,
        content: `<p>${escapeHtml(p.description).replaceAll("\n", "<br>")}</p>`,
        tos: [organiser],
      });
      const offer = new Offer({
        id: activityId,
        actor,
        object: note,
        target: new URL(p.budgetUri),
        tos: [organiser],
      });
      await sendToActors(tx, INSTANCE_ACTOR, [organiser], offer, {
        context: PROPOSAL_CONTEXT,
        fields: { proposalCost: p.cost, proposerName: p.shownName },
      });
      return activityId.href;
    },
    async decided(tx, d) {
      const to = new URL(d.actorUri);
      const values = {
        id: newActivityId(publicUrl),
        actor: actorUri(publicUrl, CMCAS_ACTOR),
        object: new URL(d.activityId),
        tos: [to],
      };
      await sendToActors(
        tx,
        CMCAS_ACTOR,
        [to],
        d.decision === "accepted"
          ? new Accept({ ...values, result: new URL(d.projectUrl) })
          : new Reject({ ...values, summary: "rejected", content: d.reason }),
      );
    },
  };
}

/** On the organiser: a proposal another instance sends for one of our budgets. */
const onProposal = route<Offer>({
  name: "budgets.proposal",
  activity: "Offer",
  object: "Note",
  async handle(input) {
    const { app } = input.deps;
    const publicUrl = app.config.publicUrl;
    const id = ownBudgetId(publicUrl, input.activity.targetId);
    if (!id) return false;
    const note = await input.object();
    const activityId = input.activity.id;
    if (!(note instanceof Note) || !activityId) return false;
    const budget = await findBudget(app.db, id);
    if (!budget) return false;
    const json = embedded(input.raw);
    const host = hostOf(input.senderUri);
    const allowed = await voterAllowed(input.deps, host);
    const outcome = await app.transaction(async (tx) => {
      const done = await receiveNetworkProposal(
        tx,
        budget,
        {
          host,
          actorUri: input.senderUri.href,
          activityId: activityId.href,
          title: note.name?.toString() ?? "",
          description: plainText(note.content?.toString() ?? ""),
          cost: term(json, "proposalCost"),
          name: term(json, "proposerName"),
        },
        { allowed },
      );
      // A replay is not answered: the first receipt was (or is being) answered already.
      if (!done.ok && done.error !== "duplicate")
        await rejectVote(tx, publicUrl, input.senderUri, activityId, done.error);
      return done;
    });
    input.log.info(
      { budget: id, host, kept: outcome.ok, refused: outcome.ok ? undefined : outcome.error },
      "network budget proposal",
    );
    return true;
  },
});

/** On a member instance: the organiser's answer to one of our members' proposals. */
const onDecision = route<Accept | Reject>({
  name: "budgets.proposal-decision",
  activity: ["Accept", "Reject"],
  object: "*",
  async handle(input) {
    const id = input.activity.objectId?.href;
    if (!id) return false;
    const accepted = input.activity instanceof Accept;
    const summary = input.activity.summary?.toString() ?? "";
    if (!accepted && !summary) return false;
    const staff = summary === "rejected";
    const { app } = input.deps;
    return app.transaction((tx) =>
      recordDecision(tx, app.config.publicUrl, {
        activityId: id,
        senderUri: input.senderUri.href,
        status: accepted ? "accepted" : staff ? "rejected" : "refused",
        reason: accepted
          ? ""
          : staff
            ? plainText(input.activity.content?.toString() ?? "").trim()
            : summary,
      }),
    );
  },
});

/** On a member instance: the proposals phase a budget's Question gives, kept by its URI. */
const onPhase = route<Create | Update>({
  name: "budgets.proposals-phase",
  activity: ["Create", "Update"],
  object: "Question",
  async handle(input) {
    const json = embedded(input.raw);
    const opens = term(json, "budgetProposalsOpen");
    const closes = term(json, "budgetProposalsClose");
    if (typeof opens !== "string" || typeof closes !== "string") return false;
    const question = await input.object();
    if (!(question instanceof Question) || !question.id) return false;
    const opensAt = new Date(opens);
    const closesAt = new Date(closes);
    if (Number.isNaN(+opensAt) || Number.isNaN(+closesAt) || opensAt >= closesAt) return true;
    // Only the budget's organiser speaks for it: its actor, on the Question's host.
    const sender = input.senderUri.href;
    if (hostOf(question.id) !== hostOf(input.senderUri) || question.attributionId?.href !== sender)
      return true;
    await input.deps.app.transaction((tx) =>
      savePhase(tx, question.id!.href, sender, { opensAt, closesAt }),
    );
    return true;
  },
});

export const proposalsInbox = [onProposal, onDecision, onPhase];
