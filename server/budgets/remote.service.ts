// Network budgets on a member instance (ADR 0133, 0136): the ones the organiser (often the hub)
// published at its vote's opening are kept, marked with its territory; a member votes here, this
// instance records only that they voted (the choice leaves at once, in the vote) and sends the
// vote through the port with the consultations' per-member token (remote.service of
// consultations), so the organiser refuses doubles without learning who voted.
import type { User } from "../accounts/accounts.repo.ts";
import { voteToken } from "../consultations/remote.service.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { isUuid } from "../offers/offers.repo.ts";
import type { Rule } from "./budgets.tables.ts";
import type { BudgetsPort } from "./budgets.port.ts";
import type { RemoteBudgetResults, RemoteProject } from "./network.tables.ts";
import "./network.tables.ts";

export interface RemoteBudget {
  id: string;
  uri: string;
  url: string;
  organiserUri: string;
  territory: string;
  title: string;
  description: string;
  envelope: number;
  rule: Rule;
  projects: RemoteProject[];
  startsAt: Date;
  endsAt: Date;
  closed: boolean;
  results: RemoteBudgetResults | null;
}

export type RemoteBudgetInput = Omit<RemoteBudget, "id">;

const json = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);

type Row = {
  id: string;
  uri: string;
  url: string;
  organiser_uri: string;
  territory: string;
  title: string;
  description: string;
  envelope: number;
  rule: Rule;
  projects: RemoteProject[] | string;
  starts_at: Date;
  ends_at: Date;
  closed: boolean;
  results: RemoteBudgetResults | string | null;
};

const toRemote = (r: Row): RemoteBudget => ({
  id: r.id,
  uri: r.uri,
  url: r.url,
  organiserUri: r.organiser_uri,
  territory: r.territory,
  title: r.title,
  description: r.description,
  envelope: r.envelope,
  rule: r.rule,
  projects: json(r.projects),
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  closed: r.closed,
  results: r.results === null ? null : json(r.results),
});

/**
 * Keeps (or updates) a budget the organiser published. Only its own actor may change it (the
 * caller checked the signature); the projects are those frozen at the vote's opening, results
 * once received are not taken away. When they first arrive, the members who voted from here
 * (and were not refused) are told.
 */
export async function saveRemoteBudget(
  tx: Tx,
  publicUrl: URL,
  input: RemoteBudgetInput,
): Promise<boolean> {
  const values = {
    url: input.url,
    territory: input.territory.slice(0, 200),
    title: input.title.slice(0, 300),
    description: input.description.slice(0, 8000),
    envelope: input.envelope,
    rule: input.rule,
    projects: JSON.stringify(input.projects),
    starts_at: input.startsAt,
    ends_at: input.endsAt,
    closed: input.closed,
    updated_at: new Date(),
  };
  const existing = await tx.db
    .selectFrom("budget_remote")
    .select(["id", "organiser_uri"])
    .where("uri", "=", input.uri)
    .executeTakeFirst();
  if (existing) {
    if (existing.organiser_uri !== input.organiserUri) return false;
    const first = input.results
      ? await tx.db
          .updateTable("budget_remote")
          .set({ results: JSON.stringify(input.results) })
          .where("id", "=", existing.id)
          .where("results", "is", null)
          .executeTakeFirst()
      : undefined;
    await tx.db.updateTable("budget_remote").set(values).where("id", "=", existing.id).execute();
    if (first && first.numUpdatedRows > 0n) {
      const voters = await tx.db
        .selectFrom("budget_remote_participations")
        .select("user_id")
        .where("remote_id", "=", existing.id)
        .where("refused", "is", null)
        .execute();
      for (const v of voters)
        await notify(tx, publicUrl, {
          userId: v.user_id,
          kind: "budgets:results",
          data: { title: values.title },
          link: `/budgets/reseau/${existing.id}`,
        });
    }
    return true;
  }
  await tx.db
    .insertInto("budget_remote")
    .values({
      ...values,
      uri: input.uri,
      organiser_uri: input.organiserUri,
      ...(input.results ? { results: JSON.stringify(input.results) } : {}),
    })
    .execute();
  return true;
}

export async function findRemote(db: Db, id: string): Promise<RemoteBudget | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom("budget_remote")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toRemote(row);
}

export async function listRemote(db: Db, limit = 100): Promise<RemoteBudget[]> {
  const rows = await db
    .selectFrom("budget_remote")
    .selectAll()
    .orderBy("ends_at", "desc")
    .limit(limit)
    .execute();
  return rows.map(toRemote);
}

export const remoteOpen = (rb: RemoteBudget, now = new Date()) =>
  !rb.closed && rb.startsAt <= now && now < rb.endsAt;

export async function participation(db: Db, remoteId: string, userId: string) {
  return db
    .selectFrom("budget_remote_participations")
    .select(["refused", "created_at"])
    .where("remote_id", "=", remoteId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export type RemoteVoteError =
  "not_open" | "already_voted" | "no_federation" | "empty" | "unknown_project" | "over_envelope";

/** Checks a choice against the published projects and envelope; gives its total. */
export function checkRemoteSelection(
  rb: RemoteBudget,
  ids: readonly string[],
): Result<{ ids: string[]; total: number }, "empty" | "unknown_project" | "over_envelope"> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return fail("empty");
  const chosen = rb.projects.filter((p) => unique.includes(p.id));
  if (chosen.length !== unique.length) return fail("unknown_project");
  const total = chosen.reduce((sum, p) => sum + p.cost, 0);
  if (rb.rule === "knapsack" && total > rb.envelope) return fail("over_envelope", { total });
  return ok({ ids: unique, total });
}

/**
 * A member's vote on a network budget: checked here as the organiser will check it, then their
 * participation (its key refuses a second sending), then the vote to the organiser, in one
 * transaction. The choice is not kept here.
 */
export async function voteRemote(
  tx: Tx,
  rb: RemoteBudget,
  user: User,
  ids: readonly string[],
  port: BudgetsPort | undefined,
  now = new Date(),
): Promise<Result<{ total: number }, RemoteVoteError>> {
  if (!remoteOpen(rb, now)) return fail("not_open");
  if (!port?.voted) return fail("no_federation");
  const checked = checkRemoteSelection(rb, ids);
  if (!checked.ok) return checked;
  const took = await tx.db
    .insertInto("budget_remote_participations")
    .values({ remote_id: rb.id, user_id: user.id, activity_id: "" })
    .onConflict((oc) => oc.columns(["remote_id", "user_id"]).doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (!took) return fail("already_voted");
  const activityId = await port.voted(tx, {
    budgetUri: rb.uri,
    organiserUri: rb.organiserUri,
    token: await voteToken(tx.db, user.id, rb.uri, "budget-vote"),
    projects: checked.value.ids,
  });
  await tx.db
    .updateTable("budget_remote_participations")
    .set({ activity_id: activityId })
    .where("remote_id", "=", rb.id)
    .where("user_id", "=", user.id)
    .execute();
  return ok({ total: checked.value.total });
}

/**
 * The organiser refused a vote (Reject): the member's page says why. `already_counted` answers a
 * replay of a vote that was counted, so it is not the member's refusal (ADR 0132, as for
 * consultations).
 */
export async function markRefused(
  tx: Tx,
  activityId: string,
  reason: string,
  senderUri: string,
): Promise<boolean> {
  if (reason === "already_counted") return true;
  // Only the organiser the vote went to may refuse it: anyone else who learnt the vote's id
  // (it travels in the clear to the organiser) must not mark a member's vote refused.
  const done = await tx.db
    .updateTable("budget_remote_participations")
    .set({ refused: reason.slice(0, 100) })
    .where("activity_id", "=", activityId)
    .where("remote_id", "in", (eb) =>
      eb.selectFrom("budget_remote").select("id").where("organiser_uri", "=", senderUri),
    )
    .executeTakeFirst();
  return done.numUpdatedRows > 0n;
}
