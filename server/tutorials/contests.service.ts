// Contests: staff open one; members enter their published tutorials until submissions close;
// members vote until the close date, once per contest and never for an entry they wrote; the
// results, with their counts, are shown once the vote has closed. Past contests stay, archived.
import { sql } from "kysely";
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { coauthorIds, findTutorial, isUuid } from "./tutorials.repo.ts";

export interface Contest {
  id: string;
  title: string;
  theme: string;
  rules: string;
  prizes: string;
  submissionsEndAt: Date;
  votesEndAt: Date;
}

export type Phase = "entries" | "vote" | "closed";

export const phaseOf = (c: Contest, now = new Date()): Phase =>
  now < c.submissionsEndAt ? "entries" : now < c.votesEndAt ? "vote" : "closed";

const toContest = (r: {
  id: string;
  title: string;
  theme: string;
  rules: string;
  prizes: string;
  submissions_end_at: Date;
  votes_end_at: Date;
}): Contest => ({
  id: r.id,
  title: r.title,
  theme: r.theme,
  rules: r.rules,
  prizes: r.prizes,
  submissionsEndAt: r.submissions_end_at,
  votesEndAt: r.votes_end_at,
});

export interface ContestInput {
  title: string;
  theme: string;
  rules: string;
  prizes: string;
  submissionsEndAt: Date;
  votesEndAt: Date;
}

export async function createContest(
  db: Db,
  staff: User,
  input: ContestInput,
): Promise<Result<string, "dates">> {
  if (input.votesEndAt <= input.submissionsEndAt) return fail("dates");
  const row = await db
    .insertInto("tutorial_contests")
    .values({
      title: input.title.trim(),
      theme: input.theme.trim(),
      rules: input.rules.trim(),
      prizes: input.prizes.trim(),
      submissions_end_at: input.submissionsEndAt,
      votes_end_at: input.votesEndAt,
      created_by: staff.id,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok(row.id);
}

export async function findContest(db: Db, id: string): Promise<Contest | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom("tutorial_contests")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toContest(row);
}

/** Running contests first (by close date), then the archive (latest closed first). */
export async function listContests(db: Db, now = new Date()) {
  const rows = await db
    .selectFrom("tutorial_contests")
    .selectAll()
    .orderBy("votes_end_at", "desc")
    .limit(200)
    .execute();
  const contests = rows.map(toContest);
  return {
    running: contests.filter((c) => phaseOf(c, now) !== "closed").reverse(),
    archive: contests.filter((c) => phaseOf(c, now) === "closed"),
  };
}

export type EnterError = "closed" | "not_found" | "not_yours" | "not_published";

export async function enter(
  db: Db,
  contest: Contest,
  user: User,
  tutorialId: string,
  now = new Date(),
): Promise<Result<void, EnterError>> {
  if (phaseOf(contest, now) !== "entries") return fail("closed");
  const tutorial = await findTutorial(db, tutorialId);
  if (!tutorial) return fail("not_found");
  const authors = [tutorial.authorId, ...(await coauthorIds(db, tutorial.id))];
  if (!authors.includes(user.id)) return fail("not_yours");
  if (tutorial.status !== "published") return fail("not_published");
  await db
    .insertInto("tutorial_contest_entries")
    .values({ contest_id: contest.id, tutorial_id: tutorial.id, entered_by: user.id })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return ok(undefined);
}

export type VoteError = "not_voting" | "not_entered" | "own_entry" | "already_voted";

/** One vote per member and contest: the primary key decides between concurrent votes. */
export async function vote(
  db: Db,
  contest: Contest,
  user: User,
  tutorialId: string,
  now = new Date(),
): Promise<Result<void, VoteError>> {
  if (phaseOf(contest, now) !== "vote") return fail("not_voting");
  if (!isUuid(tutorialId)) return fail("not_entered");
  const entry = await db
    .selectFrom("tutorial_contest_entries as e")
    .innerJoin("tutorials as t", "t.id", "e.tutorial_id")
    .select(["t.author_id", "t.status"])
    .where("e.contest_id", "=", contest.id)
    .where("e.tutorial_id", "=", tutorialId)
    .executeTakeFirst();
  if (!entry || entry.status !== "published") return fail("not_entered");
  const authors = [entry.author_id, ...(await coauthorIds(db, tutorialId))];
  if (authors.includes(user.id)) return fail("own_entry");
  const inserted = await db
    .insertInto("tutorial_contest_votes")
    .values({ contest_id: contest.id, voter_id: user.id, tutorial_id: tutorialId })
    .onConflict((oc) => oc.columns(["contest_id", "voter_id"]).doNothing())
    .returning("voter_id")
    .executeTakeFirst();
  return inserted ? ok(undefined) : fail("already_voted");
}

/** The entries with their vote counts (counts shown only once closed), and the member's vote. */
export async function entries(db: Db, contest: Contest, viewer: User | undefined) {
  const rows = await db
    .selectFrom("tutorial_contest_entries as e")
    .innerJoin("tutorials as t", "t.id", "e.tutorial_id")
    .leftJoin("users as u", "u.id", "t.author_id")
    .select([
      "t.id",
      "t.title",
      "t.author_id",
      "u.display_name",
      sql<number>`(select count(*) from tutorial_contest_votes v where v.contest_id = e.contest_id and v.tutorial_id = e.tutorial_id)`.as(
        "votes",
      ),
    ])
    .where("e.contest_id", "=", contest.id)
    .where("t.status", "=", "published")
    .orderBy("e.created_at")
    .execute();
  const mine = viewer
    ? await db
        .selectFrom("tutorial_contest_votes")
        .select("tutorial_id")
        .where("contest_id", "=", contest.id)
        .where("voter_id", "=", viewer.id)
        .executeTakeFirst()
    : undefined;
  const list = rows.map((r) => ({
    id: r.id,
    title: r.title,
    authorId: r.author_id,
    author: r.display_name,
    votes: Number(r.votes),
  }));
  return { list, myVote: mine?.tutorial_id };
}
