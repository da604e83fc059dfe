// Results, computed from the ballots alone (they name nobody): per question the counts and shares
// (choices), a Borda score (ranking: with n options, a first place is worth n−1 points, the last
// 0), the distribution and mean (scale), the texts (free text). Shown only once closed; below the
// quorum they are labelled "non représentatif".
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Consultation, Question } from "./consultations.repo.ts";
import type { Answers, Channel } from "./consultations.tables.ts";
import { mastodonCounts, type MastodonVotes } from "./network.service.ts";

export interface OptionResult {
  label: string;
  count: number;
  /** Share of the ballots that answered the question, in whole percent. */
  percent: number;
}

export interface QuestionResult {
  question: Question;
  answered: number;
  options: OptionResult[];
  /** Ranking: options by Borda score, best first. */
  scores?: { label: string; score: number; first: number }[];
  mean?: number;
  texts?: string[];
}

export interface Results {
  ballots: number;
  byChannel: Record<Channel, number>;
  byInstance: { host: string; ballots: number }[];
  representative: boolean;
  questions: QuestionResult[];
  /** Votes of Mastodon-like software, shown apart (setting `mastodonVotes` = `separate`). */
  otherSoftware?: { label: string; count: number }[];
}

const percent = (n: number, of: number) => (of === 0 ? 0 : Math.round((n * 100) / of));

export function tally(questions: Question[], ballots: Answers[]): QuestionResult[] {
  return questions.map((q) => {
    const given = ballots.map((b) => b[q.id]).filter((a) => a !== undefined);
    const answered = given.length;
    if (q.kind === "single" || q.kind === "multiple") {
      const counts = q.options.map(() => 0);
      for (const a of given)
        for (const i of Array.isArray(a) ? a : [a]) if (typeof i === "number") counts[i]! += 1;
      return {
        question: q,
        answered,
        options: q.options.map((label, i) => ({
          label,
          count: counts[i]!,
          percent: percent(counts[i]!, answered),
        })),
      };
    }
    if (q.kind === "ranking") {
      const n = q.options.length;
      const score = q.options.map(() => 0);
      const first = q.options.map(() => 0);
      for (const a of given)
        if (Array.isArray(a))
          a.forEach((option, place) => {
            score[option]! += n - 1 - place;
            if (place === 0) first[option]! += 1;
          });
      const max = Math.max(1, answered * (n - 1));
      const scores = q.options
        .map((label, i) => ({ label, score: score[i]!, first: first[i]! }))
        .sort((a, b) => b.score - a.score || b.first - a.first);
      return {
        question: q,
        answered,
        scores,
        options: scores.map((s) => ({
          label: s.label,
          count: s.score,
          percent: percent(s.score, max),
        })),
      };
    }
    if (q.kind === "scale") {
      const counts = [0, 0, 0, 0, 0];
      let sum = 0;
      for (const a of given)
        if (typeof a === "number") {
          counts[a - 1]! += 1;
          sum += a;
        }
      return {
        question: q,
        answered,
        mean: answered ? Math.round((sum * 10) / answered) / 10 : 0,
        options: counts.map((count, i) => ({
          label: String(i + 1),
          count,
          percent: percent(count, answered),
        })),
      };
    }
    const texts = given
      .filter((a): a is string => typeof a === "string")
      .sort((a, b) => a.localeCompare(b, "fr"));
    return { question: q, answered, options: [], texts: texts.slice(0, 500) };
  });
}

export async function countBallots(db: Db, consultationId: string): Promise<number> {
  const row = await db
    .selectFrom("consultation_ballots")
    .select(sql<number>`count(*)`.as("n"))
    .where("consultation_id", "=", consultationId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The results from the ballots; votes of other software (ADR 0131) are left out, shown apart or
 * added to the poll's counts, per the module's `mastodonVotes` setting.
 */
export async function results(
  db: Db,
  c: Consultation,
  mastodonVotes: MastodonVotes = "ignore",
): Promise<Results> {
  const rows = await db
    .selectFrom("consultation_ballots")
    .select(["channel", "instance_host", "answers"])
    .where("consultation_id", "=", c.id)
    .execute();
  const byChannel: Record<Channel, number> = { online: 0, paper: 0, network: 0 };
  const hosts = new Map<string, number>();
  const ballots: Answers[] = [];
  for (const r of rows) {
    byChannel[r.channel] += 1;
    if (r.instance_host) hosts.set(r.instance_host, (hosts.get(r.instance_host) ?? 0) + 1);
    ballots.push(typeof r.answers === "string" ? (JSON.parse(r.answers) as Answers) : r.answers);
  }
  const questions = tally(c.questions, ballots);
  const others = mastodonVotes === "ignore" ? [] : await mastodonCounts(db, c);
  const otherSoftware =
    mastodonVotes === "separate" && others.length
      ? c.questions[0]!.options.map((label, i) => ({ label, count: others[i]! }))
      : undefined;
  if (mastodonVotes === "count" && others.length) {
    const poll = questions[0]!;
    const added = others.reduce((a, b) => a + b, 0);
    // A multiple-choice vote of other software is one Note per option: shares are of the notes.
    poll.answered += added;
    poll.options = poll.options.map((o, i) => ({ ...o, count: o.count + others[i]! }));
    poll.options = poll.options.map((o) => ({ ...o, percent: percent(o.count, poll.answered) }));
  }
  return {
    ballots: rows.length,
    byChannel,
    byInstance: [...hosts]
      .map(([host, n]) => ({ host, ballots: n }))
      .sort((a, b) => b.ballots - a.ballots),
    representative: c.quorum === null || rows.length >= c.quorum,
    questions,
    ...(otherSoftware ? { otherSoftware } : {}),
  };
}
