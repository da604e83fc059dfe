// Network votes on the organising instance (ADR 0131). A vote sent by another instance carries
// the answers and a per-member token only; it becomes a ballot of channel `network` through the
// same checks as a local ballot (checkAnswers, the phase), and the token takes the place of the
// voter in the participations: the primary key refuses a second vote or a replay. Votes of
// Mastodon-like software (a Note naming an option) are kept apart, counted per the setting.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { checkAnswers } from "./ballots.ts";
import { phaseOf, type Consultation } from "./consultations.repo.ts";
import "./network.tables.ts";

export type NetworkRefusal =
  "not_network" | "not_open" | "not_allowed" | "invalid" | "already_counted" | "cap";

export interface NetworkVote {
  /** The sending instance (its actor signed the activity). */
  host: string;
  token: string;
  answers: Record<string, unknown>;
}

export interface VoteRules {
  /** Whether the sending instance may vote (an accepted member of the hub, or allowed). */
  allowed: boolean;
  /** At most this many votes per instance (0: no cap). */
  perInstanceCap: number;
}

export const TOKEN = /^[A-Za-z0-9_-]{20,100}$/;

async function refused(
  tx: Tx,
  c: Consultation,
  host: string,
  reason: NetworkRefusal,
): Promise<Result<never, NetworkRefusal>> {
  await tx.db
    .insertInto("consultation_network_refusals")
    .values({ consultation_id: c.id, instance_host: host, reason })
    .onConflict((oc) =>
      oc
        .columns(["consultation_id", "instance_host", "reason"])
        .doUpdateSet({ count: sql`consultation_network_refusals.count + 1` }),
    )
    .execute();
  return fail(reason);
}

/** Counts one network vote, or says why not (and counts the refusal, per instance and reason). */
export async function receiveNetworkVote(
  tx: Tx,
  c: Consultation,
  vote: NetworkVote,
  rules: VoteRules,
  now = new Date(),
): Promise<Result<void, NetworkRefusal>> {
  if (c.audience !== "network") return refused(tx, c, vote.host, "not_network");
  if (!rules.allowed) return refused(tx, c, vote.host, "not_allowed");
  if (phaseOf(c, now) !== "open") return refused(tx, c, vote.host, "not_open");
  const checked = checkAnswers(c.questions, vote.answers);
  if (!checked.ok || !TOKEN.test(vote.token)) return refused(tx, c, vote.host, "invalid");
  if (rules.perInstanceCap > 0) {
    // Serialises the votes of one consultation so that concurrent ones cannot pass the cap.
    await sql`select id from consultations where id = ${c.id} for update`.execute(tx.db);
    const row = await tx.db
      .selectFrom("consultation_network_votes")
      .select(sql<number>`count(*)`.as("n"))
      .where("consultation_id", "=", c.id)
      .where("instance_host", "=", vote.host)
      .executeTakeFirstOrThrow();
    if (Number(row.n) >= rules.perInstanceCap) return refused(tx, c, vote.host, "cap");
  }
  const took = await tx.db
    .insertInto("consultation_network_votes")
    .values({ consultation_id: c.id, instance_host: vote.host, token: vote.token })
    .onConflict((oc) => oc.columns(["consultation_id", "token"]).doNothing())
    .returning("token")
    .executeTakeFirst();
  if (!took) return refused(tx, c, vote.host, "already_counted");
  await tx.db
    .insertInto("consultation_ballots")
    .values({
      consultation_id: c.id,
      channel: "network",
      instance_host: vote.host,
      answers: JSON.stringify(checked.value),
    })
    .execute();
  return ok(undefined);
}

export type MastodonVotes = "ignore" | "separate" | "count";

/**
 * Whether a consultation is a plain poll other software can answer: one single or multiple
 * choice question (published with `oneOf` / `anyOf`).
 */
export const isPoll = (c: Pick<Consultation, "questions">): boolean =>
  c.questions.length === 1 &&
  (c.questions[0]!.kind === "single" || c.questions[0]!.kind === "multiple");

/**
 * A vote of Mastodon-like software: a Note whose `name` is an option. Kept whatever the setting
 * (the setting decides how results read them), one per actor and option, and for a single
 * choice one per actor.
 */
export async function receiveMastodonVote(
  tx: Tx,
  c: Consultation,
  actorUri: string,
  optionName: string,
  now = new Date(),
): Promise<Result<void, "not_poll" | "not_open" | "unknown_option" | "already_counted">> {
  if (c.audience !== "network" || !isPoll(c)) return fail("not_poll");
  if (phaseOf(c, now) !== "open") return fail("not_open");
  const q = c.questions[0]!;
  const index = q.options.indexOf(optionName.trim());
  if (index < 0) return fail("unknown_option");
  if (q.kind === "single") {
    const before = await tx.db
      .selectFrom("consultation_mastodon_votes")
      .select("option_index")
      .where("consultation_id", "=", c.id)
      .where("actor_uri", "=", actorUri)
      .executeTakeFirst();
    if (before) return fail("already_counted");
  }
  const took = await tx.db
    .insertInto("consultation_mastodon_votes")
    .values({ consultation_id: c.id, actor_uri: actorUri, option_index: index })
    .onConflict((oc) => oc.columns(["consultation_id", "actor_uri", "option_index"]).doNothing())
    .returning("option_index")
    .executeTakeFirst();
  return took ? ok(undefined) : fail("already_counted");
}

/** Other software's votes per option of the poll (empty when it is not one). */
export async function mastodonCounts(db: Db, c: Consultation): Promise<number[]> {
  if (!isPoll(c)) return [];
  const rows = await db
    .selectFrom("consultation_mastodon_votes")
    .select(["option_index", sql<number>`count(*)`.as("n")])
    .where("consultation_id", "=", c.id)
    .groupBy("option_index")
    .execute();
  const counts = c.questions[0]!.options.map(() => 0);
  for (const r of rows) if (r.option_index < counts.length) counts[r.option_index] = Number(r.n);
  return counts;
}

/** Refused network votes per instance and reason, published beside the results. */
export async function networkRefusals(db: Db, consultationId: string) {
  const rows = await db
    .selectFrom("consultation_network_refusals")
    .select(["instance_host", "reason", "count"])
    .where("consultation_id", "=", consultationId)
    .orderBy("instance_host")
    .orderBy("reason")
    .execute();
  return rows.map((r) => ({ host: r.instance_host, reason: r.reason, count: r.count }));
}

/** The module's settings about the network (defaults when unset or out of range). */
export function networkSettings(settings: Record<string, unknown>): {
  mastodonVotes: MastodonVotes;
  perInstanceCap: number;
} {
  const m = settings.mastodonVotes;
  const cap = Number(settings.perInstanceCap);
  return {
    mastodonVotes: m === "separate" || m === "count" ? m : "ignore",
    perInstanceCap: Number.isInteger(cap) && cap > 0 ? cap : 0,
  };
}
