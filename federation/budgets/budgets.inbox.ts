// Inbox of network budgets (ADR 0136), on the consultations' machinery (ADR 0131): same sender
// checks, same token, same refusals answered by the same Reject.
// On a member instance: the Create and Update of a budget's Question from the hub or a CMCAS we
// follow keep the budget (and, at close, its results) through the budgets' service; a Reject of
// one of our votes says why the organiser refused it.
// On the organiser: a Note in reply to one of our budgets is a vote. With a token, it is checked
// and counted by the same service as local ballots (and the envelope); refused, it is answered by
// a Reject naming the reason. Without one (other software's), it is ignored: it cannot respect
// the envelope and has no eligibility (ADR 0133).
import "../temporal.ts";
import { Note, Question, type Create, type Reject, type Update } from "@fedify/vocab";
import { findBudget } from "../../server/budgets/budgets.service.ts";
import { RULES, type Rule } from "../../server/budgets/budgets.tables.ts";
import { budgetVoteCap, receiveNetworkVote } from "../../server/budgets/network.service.ts";
import type { RemoteBudgetResults, RemoteProject } from "../../server/budgets/network.tables.ts";
import { markRefused, saveRemoteBudget } from "../../server/budgets/remote.service.ts";
import {
  embedded,
  hubHost,
  parse,
  rejectVote,
  term,
  voterAllowed,
} from "../consultations/consultations.inbox.ts";
import { route } from "../inbox/route.ts";
import { isFollowed } from "../offers/offers.inbox.ts";
import { hostOf } from "../uris.ts";
import { ownBudgetId } from "./question.ts";

type Json = Record<string, unknown>;

const str = (v: unknown, max: number): v is string => typeof v === "string" && v.length <= max;
const count = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;

/** The projects a budget's Question carries, if well-formed. */
export function readProjects(value: unknown): RemoteProject[] | undefined {
  const list = parse(value);
  // Empty while its proposals phase is open (published then too, ADR 0138).
  if (!Array.isArray(list) || list.length > 500) return undefined;
  const out: RemoteProject[] = [];
  for (const p of list as Json[]) {
    if (typeof p !== "object" || p === null) return undefined;
    if (!str(p.id, 100) || !str(p.title, 300) || !count(p.cost) || p.cost < 1 || !str(p.url, 2000))
      return undefined;
    out.push({ id: p.id, title: p.title, cost: p.cost, url: p.url });
  }
  return out;
}

function readResults(value: unknown): RemoteBudgetResults | undefined {
  const r = parse(value) as Json | undefined;
  if (!r || !count(r.ballots) || !Array.isArray(r.projects)) return undefined;
  const channel = (r.byChannel ?? {}) as Json;
  return {
    ballots: r.ballots,
    byChannel: {
      online: count(channel.online) ? channel.online : 0,
      paper: count(channel.paper) ? channel.paper : 0,
      network: count(channel.network) ? channel.network : 0,
    },
    byInstance: Array.isArray(r.byInstance)
      ? (r.byInstance as Json[])
          .filter((b) => str(b?.host, 300) && count(b.ballots))
          .map((b) => ({ host: b.host as string, ballots: b.ballots as number }))
      : [],
    projects: (r.projects as Json[])
      .slice(0, 500)
      .filter((p) => str(p?.id, 100) && count(p.votes) && count(p.rank))
      .map((p) => ({
        id: p.id as string,
        votes: p.votes as number,
        rank: p.rank as number,
        funded: p.funded === true,
      })),
  };
}

const onQuestion = route<Create | Update>({
  name: "budgets.question",
  activity: ["Create", "Update"],
  object: "Question",
  async handle(input) {
    const question = await input.object();
    if (!(question instanceof Question) || !question.id) return false;
    const json = embedded(input.raw);
    const projects = readProjects(term(json, "budgetProjects"));
    const envelope = term(json, "budgetEnvelope");
    const rule = term(json, "budgetRule");
    // Not a budget (a consultation, or a poll of other software).
    if (!projects || !count(envelope) || envelope < 1 || !RULES.includes(rule as Rule))
      return false;
    const sender = await input.sender();
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    const { deps } = input;
    if (hostOf(question.id) !== sender.host || question.attributionId?.href !== sender.uri)
      return true;
    if (sender.host !== (await hubHost(deps)) && !(await isFollowed(deps.app.db, sender)))
      return true;
    const start = question.startTime;
    const end = question.endTime;
    if (!start || !end) return true;
    const url = question.url instanceof URL ? question.url.href : question.id.href;
    const results = readResults(term(json, "budgetResults"));
    await deps.app.transaction((tx) =>
      saveRemoteBudget(tx, deps.app.config.publicUrl, {
        uri: question.id!.href,
        url,
        organiserUri: sender.uri,
        territory: sender.name || sender.host,
        title: question.name?.toString().trim() || url,
        description: (question.content?.toString() ?? "")
          .replace(/<p><a href="[^"]*">[^<]*<\/a><\/p>$/, "")
          .replace(/<br\s*\/?>/g, "\n")
          .replace(/<[^>]+>/g, "")
          .replaceAll("&lt;", "<")
          .replaceAll("&gt;", ">")
          .replaceAll("&amp;", "&")
          .trim(),
        envelope,
        rule: rule as Rule,
        projects,
        startsAt: new Date(start.epochMilliseconds),
        endsAt: new Date(end.epochMilliseconds),
        closed: question.closed !== null || results !== undefined,
        results: results ?? null,
      }),
    );
    return true;
  },
});

const onVote = route<Create>({
  name: "budgets.vote",
  activity: "Create",
  object: "Note",
  async handle(input) {
    const note = await input.object();
    if (!(note instanceof Note)) return false;
    const { app } = input.deps;
    const publicUrl = app.config.publicUrl;
    const id = ownBudgetId(publicUrl, note.replyTargetId);
    if (!id) return false;
    const budget = await findBudget(app.db, id);
    if (!budget) return false;
    const json = embedded(input.raw);
    const token = term(json, "voteToken");
    const host = hostOf(input.senderUri);
    if (typeof token !== "string") {
      input.log.info({ budget: id, host }, "budget vote without a token, not counted");
      return true;
    }
    const allowed = await voterAllowed(input.deps, host);
    const activityId = input.activity.id;
    const outcome = await app.transaction(async (tx) => {
      // The budgets' own cap (ADR 0139), read through the transaction (embedded mode).
      const perInstanceCap = await budgetVoteCap(tx);
      const done = await receiveNetworkVote(
        tx,
        budget,
        { host, token, projects: parse(term(json, "voteProjects")) },
        { allowed, perInstanceCap },
      );
      if (!done.ok && activityId)
        await rejectVote(tx, publicUrl, input.senderUri, activityId, done.error);
      return done;
    });
    input.log.info({ budget: id, host, counted: outcome.ok }, "network budget vote");
    return true;
  },
});

/** The organiser refused one of our budget votes: its reason is kept for the member's page. */
const onRefused = route<Reject>({
  name: "budgets.vote-refused",
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

export const budgetsInbox = [onQuestion, onVote, onRefused];
