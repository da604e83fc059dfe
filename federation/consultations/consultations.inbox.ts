// Inbox of network consultations (ADR 0131).
// On a member instance: the Create and Update of a Question from the hub or a CMCAS we follow
// keep the consultation (and, at close, its results) through the consultations' service; a
// Reject of one of our votes says why the organiser refused it.
// On the organiser: a Note in reply to one of our Questions is a vote. With a token it is a
// network vote, checked and counted by the same service as local ballots; refused, it is answered
// by a Reject naming the reason. Without one it is a vote of Mastodon-like software, kept apart.
import "../temporal.ts";
import { Note, Question, Reject, type Create, type Update } from "@fedify/vocab";
import { findConsultation } from "../../server/consultations/consultations.repo.ts";
import type { QuestionKind } from "../../server/consultations/consultations.tables.ts";
import {
  networkSettings,
  receiveMastodonVote,
  receiveNetworkVote,
} from "../../server/consultations/network.service.ts";
import type { RemoteQuestion, RemoteResults } from "../../server/consultations/network.tables.ts";
import { markRefused, saveRemoteConsultation } from "../../server/consultations/remote.service.ts";
import { QUESTION_KINDS } from "../../server/consultations/consultations.tables.ts";
import type { Tx } from "../../server/db/transaction.ts";
import type { FederationDeps } from "../deps.ts";
import { route } from "../inbox/route.ts";
import { isFollowed } from "../offers/offers.inbox.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, hostOf, newActivityId } from "../uris.ts";
import { ownConsultationId } from "./question.ts";

type Json = Record<string, unknown>;

export const embedded = (raw: Json | undefined): Json =>
  typeof raw?.object === "object" && raw.object !== null && !Array.isArray(raw.object)
    ? (raw.object as Json)
    : {};

export const parse = (value: unknown): unknown => {
  if (typeof value !== "string" || value.length > 200_000) return undefined;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return undefined;
  }
};

/** One of our terms: as its short name, or expanded when the payload was compacted without our
 * context (as the inbox hands it over). */
export const term = (json: Json, name: string): unknown =>
  json[name] ?? json[`urn:maillage:ns#${name}`];

const str = (v: unknown, max: number) => typeof v === "string" && v.length <= max;

/** The form a Question carries, if well-formed (what another instance sends is checked). */
export function readQuestions(value: unknown): RemoteQuestion[] | undefined {
  const list = parse(value);
  if (!Array.isArray(list) || list.length === 0 || list.length > 50) return undefined;
  const out: RemoteQuestion[] = [];
  for (const q of list as Json[]) {
    if (typeof q !== "object" || q === null) return undefined;
    const options = q.options;
    if (
      !str(q.id, 100) ||
      !str(q.prompt, 500) ||
      !QUESTION_KINDS.includes(q.kind as QuestionKind) ||
      !Array.isArray(options) ||
      options.length > 20 ||
      !options.every((o) => str(o, 300))
    )
      return undefined;
    const max = q.maxChoices;
    out.push({
      id: q.id as string,
      position: out.length + 1,
      kind: q.kind as QuestionKind,
      prompt: q.prompt as string,
      options: options as string[],
      maxChoices: typeof max === "number" && Number.isInteger(max) && max >= 1 ? max : null,
    });
  }
  return out;
}

function readResults(value: unknown): RemoteResults | undefined {
  const r = parse(value) as RemoteResults | undefined;
  if (!r || typeof r.ballots !== "number" || !Array.isArray(r.questions)) return undefined;
  return {
    ballots: r.ballots,
    ...(typeof r.representative === "boolean" ? { representative: r.representative } : {}),
    byInstance: Array.isArray(r.byInstance)
      ? r.byInstance
          .filter((b) => str(b?.host, 300) && typeof b.ballots === "number")
          .map((b) => ({ host: b.host, ballots: b.ballots }))
      : [],
    questions: r.questions.slice(0, 50).map((q) => ({
      prompt: str(q?.prompt, 500) ? q.prompt : "",
      options: Array.isArray(q?.options)
        ? q.options
            .filter((o) => str(o?.label, 300) && typeof o.count === "number")
            .map((o) => ({ label: o.label, count: o.count }))
        : [],
    })),
  };
}

/** The hub this instance asked to join (its consultations reach us without a follow). */
export async function hubHost(deps: FederationDeps): Promise<string | undefined> {
  const row = await deps.app.db.selectFrom("hub_link").select("hub_url").executeTakeFirst();
  return row ? hostOf(row.hub_url) : undefined;
}

/**
 * Whether an instance's members may vote in our network votes (consultations and budgets): an
 * accepted member of our network on the hub, otherwise an instance our policy allows.
 */
export async function voterAllowed(deps: FederationDeps, host: string): Promise<boolean> {
  const { app, policy } = deps;
  return app.config.hub
    ? (await app.db
        .selectFrom("hub_members")
        .select("host")
        .where("host", "=", host)
        .where("state", "=", "accepted")
        .executeTakeFirst()) !== undefined
    : policy.allows(host);
}

/** Answers a refused network vote (consultation or budget) with a Reject naming the reason. */
export async function rejectVote(
  tx: Tx,
  publicUrl: URL,
  senderUri: URL,
  activityId: URL,
  reason: string,
): Promise<void> {
  await sendToActors(
    tx,
    CMCAS_ACTOR,
    [senderUri],
    new Reject({
      id: newActivityId(publicUrl),
      actor: actorUri(publicUrl, CMCAS_ACTOR),
      object: activityId,
      summary: reason,
      tos: [senderUri],
    }),
  );
}

const onQuestion = route<Create | Update>({
  name: "consultations.question",
  activity: ["Create", "Update"],
  object: "Question",
  async handle(input) {
    const question = await input.object();
    if (!(question instanceof Question) || !question.id) return false;
    const json = embedded(input.raw);
    const questions = readQuestions(term(json, "consultationQuestions"));
    // A poll of other software is not a consultation of the network.
    if (!questions) return false;
    const sender = await input.sender();
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    const { deps } = input;
    if (hostOf(question.id) !== sender.host || question.attributionId?.href !== sender.uri)
      return true;
    if (sender.host !== (await hubHost(deps)) && !(await isFollowed(deps.app.db, sender)))
      return true;
    const end = question.endTime;
    if (!end) return true;
    const url = question.url instanceof URL ? question.url.href : question.id.href;
    const results = readResults(term(json, "consultationResults"));
    await deps.app.transaction((tx) =>
      saveRemoteConsultation(tx, deps.app.config.publicUrl, {
        uri: question.id!.href,
        url,
        organiserUri: sender.uri,
        territory: sender.name || sender.host,
        title: question.name?.toString().trim() || url,
        // The introduction is the content's first paragraph, as text.
        intro: (question.content?.toString() ?? "")
          .replace(/<p><a href="[^"]*">[^<]*<\/a><\/p>$/, "")
          .replace(/<br\s*\/?>/g, "\n")
          .replace(/<[^>]+>/g, "")
          .replaceAll("&lt;", "<")
          .replaceAll("&gt;", ">")
          .replaceAll("&amp;", "&")
          .trim(),
        questions,
        endsAt: new Date(end.epochMilliseconds),
        closed: question.closed !== null || results !== undefined,
        results: results ?? null,
      }),
    );
    return true;
  },
});

const onVote = route<Create>({
  name: "consultations.vote",
  activity: "Create",
  object: "Note",
  async handle(input) {
    const note = await input.object();
    if (!(note instanceof Note)) return false;
    const { app } = input.deps;
    const publicUrl = app.config.publicUrl;
    const id = ownConsultationId(publicUrl, note.replyTargetId);
    if (!id) return false;
    const c = await findConsultation(app.db, id);
    if (!c) return false;
    const json = embedded(input.raw);
    const settings = networkSettings(app.modules.settings("consultations"));
    const host = hostOf(input.senderUri);
    const token = term(json, "voteToken");
    if (typeof token !== "string") {
      // Other software's vote: a Note with a name and no text.
      const name = note.name?.toString();
      if (!name || note.content) return false;
      await app.transaction((tx) => receiveMastodonVote(tx, c, input.senderUri.href, name));
      return true;
    }
    const allowed = await voterAllowed(input.deps, host);
    const answers = parse(term(json, "voteAnswers"));
    const activityId = input.activity.id;
    const outcome = await app.transaction(async (tx) => {
      const done = await receiveNetworkVote(
        tx,
        c,
        {
          host,
          token,
          answers: typeof answers === "object" && answers !== null ? (answers as Json) : {},
        },
        { allowed, perInstanceCap: settings.perInstanceCap },
      );
      if (!done.ok && activityId)
        await rejectVote(tx, publicUrl, input.senderUri, activityId, done.error);
      return done;
    });
    input.log.info({ consultation: c.id, host, counted: outcome.ok }, "network vote");
    return true;
  },
});

/** The organiser refused one of our votes: its reason is kept for the member's page. */
const onRefused = route<Reject>({
  name: "consultations.vote-refused",
  activity: "Reject",
  object: "*",
  async handle(input) {
    const id = input.activity.objectId?.href;
    const reason = input.activity.summary?.toString();
    if (!id || !reason) return false;
    const sender = input.senderUri.href;
    return input.deps.app.transaction((tx) => markRefused(tx, id, reason, sender));
  },
});

export const consultationsInbox = [onQuestion, onVote, onRefused];
