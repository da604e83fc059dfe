// A network budget as a `Question` (ADR 0133, 0136). Its projects are listed in `anyOf` as named
// Notes, so Mastodon-like software shows the list (their votes are not counted: they carry no
// token and cannot respect the envelope); Maillage instances read the envelope, the rule and the
// projects with their costs in our namespace (JSON texts, as the consultations' form), and once
// closed every count: per project in `replies.totalItems`, and in `budgetResults`.
import "../temporal.ts";
import { Collection, Note, Question } from "@fedify/vocab";
import type { Budget, Project } from "../../server/budgets/budgets.service.ts";
import type { RemoteBudgetResults } from "../../server/budgets/network.tables.ts";
import type { ObjectExtras } from "../extras.ts";
import { CONSULTATION_CONTEXT } from "../consultations/question.ts";
import { actorUri, CMCAS_ACTOR } from "../uris.ts";

/** The consultations' terms (the vote's token and eligibility among them), and the budgets'. */
export const BUDGET_CONTEXT = {
  ...CONSULTATION_CONTEXT,
  budgetEnvelope: "maillage:budgetEnvelope",
  budgetRule: "maillage:budgetRule",
  budgetProjects: "maillage:budgetProjects",
  budgetResults: "maillage:budgetResults",
  voteProjects: "maillage:voteProjects",
  // Its proposals phase, so that other instances' members can propose projects (ADR 0138).
  budgetProposalsOpen: "maillage:budgetProposalsOpen",
  budgetProposalsClose: "maillage:budgetProposalsClose",
};

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export const budgetUri = (publicUrl: URL, id: string) => new URL(`/budgets/${id}`, publicUrl);

/** The id of our budget a URI names, if it is one of ours. */
export function ownBudgetId(publicUrl: URL, uri: URL | string | null): string | undefined {
  if (!uri) return undefined;
  const url = new URL(uri);
  if (url.origin !== publicUrl.origin) return undefined;
  return new RegExp(`^/budgets/(${UUID})$`, "i").exec(url.pathname)?.[1];
}

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export function budgetQuestion(
  publicUrl: URL,
  budget: Budget,
  projects: readonly Project[],
  results?: RemoteBudgetResults,
  now = new Date(),
): { question: Question; extras: ObjectExtras } {
  const id = budgetUri(publicUrl, budget.id);
  const organiser = actorUri(publicUrl, CMCAS_ACTOR);
  const accepted = projects.filter((p) => p.status === "accepted");
  const votes = new Map((results?.projects ?? []).map((p) => [p.id, p.votes]));
  const closed = now >= budget.vote_close_at;
  const link = `<p><a href="${id.href}">${escapeHtml(budget.title)}</a></p>`;
  const question = new Question({
    id,
    attribution: organiser,
    name: budget.title,
    content: `${budget.description ? `<p>${escapeHtml(budget.description).replaceAll("\n", "<br>")}</p>` : ""}${link}`,
    url: id,
    published: instant(budget.vote_open_at),
    startTime: instant(budget.vote_open_at),
    endTime: instant(budget.vote_close_at),
    updated: instant(now),
    inclusiveOptions: accepted.map(
      (p) =>
        new Note({ name: p.title, replies: new Collection({ totalItems: votes.get(p.id) ?? 0 }) }),
    ),
    ...(closed ? { closed: instant(budget.vote_close_at) } : {}),
    ...(results ? { voters: results.ballots } : {}),
    tos: [new URL(`${organiser.href}/followers`)],
  });
  return {
    question,
    extras: {
      context: BUDGET_CONTEXT,
      fields: {
        budgetEnvelope: budget.envelope,
        budgetRule: budget.rule,
        budgetProposalsOpen: budget.proposals_open_at.toISOString(),
        budgetProposalsClose: budget.proposals_close_at.toISOString(),
        budgetProjects: JSON.stringify(
          accepted.map((p) => ({
            id: p.id,
            title: p.title,
            cost: p.cost,
            url: new URL(`/budgets/${budget.id}/projets/${p.id}`, publicUrl).href,
          })),
        ),
        ...(results ? { budgetResults: JSON.stringify(results) } : {}),
      },
    },
  };
}
