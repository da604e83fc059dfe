// A network consultation as a `Question` (ADR 0131). A plain poll (one single or multiple
// choice question) lists its options in `oneOf` / `anyOf` as Mastodon does, so Mastodon-like
// software shows it and can answer it; every consultation also carries its whole form in
// `consultationQuestions` (a JSON text, in our namespace) for Maillage instances, and once
// closed its counts: per option in `replies.totalItems`, and in `consultationResults`.
import "../temporal.ts";
import { Collection, Note, Question } from "@fedify/vocab";
import type { Consultation } from "../../server/consultations/consultations.repo.ts";
import { phaseOf } from "../../server/consultations/consultations.repo.ts";
import { isPoll } from "../../server/consultations/network.service.ts";
import type { RemoteQuestion, RemoteResults } from "../../server/consultations/network.tables.ts";
import type { Results } from "../../server/consultations/results.ts";
import type { ObjectExtras } from "../extras.ts";
import { actorUri, CMCAS_ACTOR } from "../uris.ts";

export const CONSULTATION_CONTEXT = {
  maillage: "urn:maillage:ns#",
  consultationQuestions: "maillage:consultationQuestions",
  consultationResults: "maillage:consultationResults",
  voteToken: "maillage:voteToken",
  voteAnswers: "maillage:voteAnswers",
  voteEligibility: "maillage:voteEligibility",
};

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";

export const questionUri = (publicUrl: URL, id: string) =>
  new URL(`/consultations/${id}`, publicUrl);

/** The id of our consultation a URI names, if it is one of ours. */
export function ownConsultationId(publicUrl: URL, uri: URL | string | null): string | undefined {
  if (!uri) return undefined;
  const url = new URL(uri);
  if (url.origin !== publicUrl.origin) return undefined;
  return new RegExp(`^/consultations/(${UUID})$`, "i").exec(url.pathname)?.[1];
}

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** What the instances of the network keep of the results. */
export function publishedResults(r: Results): RemoteResults {
  return {
    ballots: r.ballots,
    representative: r.representative,
    byInstance: r.byInstance,
    questions: r.questions.map((q) => ({
      prompt: q.question.prompt,
      options: q.options.map((o) => ({ label: o.label, count: o.count })),
    })),
  };
}

export function consultationQuestion(
  publicUrl: URL,
  c: Consultation,
  results?: Results,
  now = new Date(),
): { question: Question; extras: ObjectExtras } {
  const id = questionUri(publicUrl, c.id);
  const organiser = actorUri(publicUrl, CMCAS_ACTOR);
  const closed = phaseOf(c, now) === "closed";
  const poll = isPoll(c) ? c.questions[0]! : undefined;
  const counts = poll && results ? results.questions[0]!.options.map((o) => o.count) : undefined;
  const options = poll?.options.map(
    (label, i) =>
      new Note({
        name: label,
        replies: new Collection({ totalItems: counts?.[i] ?? 0 }),
      }),
  );
  const link = `<p><a href="${id.href}">${escapeHtml(c.title)}</a></p>`;
  const question = new Question({
    id,
    attribution: organiser,
    name: c.title,
    content: `${c.intro ? `<p>${escapeHtml(c.intro).replaceAll("\n", "<br>")}</p>` : ""}${link}`,
    url: id,
    published: instant(c.opensAt),
    startTime: instant(c.opensAt),
    endTime: instant(c.closesAt),
    updated: instant(now),
    ...(poll?.kind === "single" ? { exclusiveOptions: options } : {}),
    ...(poll?.kind === "multiple" ? { inclusiveOptions: options } : {}),
    ...(closed ? { closed: instant(c.closesAt < now ? c.closesAt : now) } : {}),
    ...(results ? { voters: results.ballots } : {}),
    tos: [new URL(`${organiser.href}/followers`)],
  });
  const form: RemoteQuestion[] = c.questions.map((q) => ({
    id: q.id,
    position: q.position,
    kind: q.kind,
    prompt: q.prompt,
    options: q.options,
    maxChoices: q.maxChoices,
  }));
  return {
    question,
    extras: {
      context: CONSULTATION_CONTEXT,
      fields: {
        // JSON texts: plain strings go through every JSON-LD processor and signature unchanged.
        consultationQuestions: JSON.stringify(form),
        ...(results ? { consultationResults: JSON.stringify(publishedResults(results)) } : {}),
      },
    },
  };
}
