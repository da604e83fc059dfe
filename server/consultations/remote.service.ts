// Network consultations on a member instance (ADR 0131): the ones the organiser (often the hub)
// published are kept, marked with its territory; a member answers here, this instance records
// that they took part (never what they chose: the answers leave at once, in the vote) and sends
// the vote through the port with a per-member token, HMAC(instance secret, member and
// consultation), so the organiser refuses doubles without learning who voted.
import crypto from "node:crypto";
import { sql } from "kysely";
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { isUuid } from "../offers/offers.repo.ts";
import type { Answers } from "./consultations.tables.ts";
import type { ConsultationsPort } from "./consultations.port.ts";
import type { RemoteQuestion, RemoteResults } from "./network.tables.ts";
import "./network.tables.ts";

export interface RemoteConsultation {
  id: string;
  uri: string;
  url: string;
  organiserUri: string;
  territory: string;
  title: string;
  intro: string;
  questions: RemoteQuestion[];
  endsAt: Date;
  closed: boolean;
  results: RemoteResults | null;
}

export type RemoteInput = Omit<RemoteConsultation, "id">;

const json = <T>(v: T | string): T => (typeof v === "string" ? (JSON.parse(v) as T) : v);

type Row = {
  id: string;
  uri: string;
  url: string;
  organiser_uri: string;
  territory: string;
  title: string;
  intro: string;
  questions: RemoteQuestion[] | string;
  ends_at: Date;
  closed: boolean;
  results: RemoteResults | string | null;
};

const toRemote = (r: Row): RemoteConsultation => ({
  id: r.id,
  uri: r.uri,
  url: r.url,
  organiserUri: r.organiser_uri,
  territory: r.territory,
  title: r.title,
  intro: r.intro,
  questions: json(r.questions),
  endsAt: r.ends_at,
  closed: r.closed,
  results: r.results === null ? null : json(r.results),
});

/**
 * Keeps (or updates) a consultation the organiser published. Only its own actor may change it
 * (the caller checked the signature); results, once received, are not taken away. When the
 * results first arrive, the members who answered from here (and were not refused) are told.
 */
export async function saveRemoteConsultation(
  tx: Tx,
  publicUrl: URL,
  input: RemoteInput,
): Promise<boolean> {
  const values = {
    url: input.url,
    territory: input.territory.slice(0, 200),
    title: input.title.slice(0, 300),
    intro: input.intro.slice(0, 8000),
    questions: JSON.stringify(input.questions),
    ends_at: input.endsAt,
    closed: input.closed,
    ...(input.results ? { results: JSON.stringify(input.results) } : {}),
    updated_at: new Date(),
  };
  const existing = await tx.db
    .selectFrom("consultation_remote")
    .select(["id", "organiser_uri"])
    .where("uri", "=", input.uri)
    .executeTakeFirst();
  if (existing) {
    if (existing.organiser_uri !== input.organiserUri) return false;
    // Only the update that brings the first results notifies: a repeated or later Update (the
    // organiser's response) finds them already there.
    const first = input.results
      ? await tx.db
          .updateTable("consultation_remote")
          .set({ results: JSON.stringify(input.results) })
          .where("id", "=", existing.id)
          .where("results", "is", null)
          .executeTakeFirst()
      : undefined;
    await tx.db
      .updateTable("consultation_remote")
      .set(values)
      .where("id", "=", existing.id)
      .execute();
    if (first && first.numUpdatedRows > 0n) await notifyResults(tx, publicUrl, existing.id, input);
    return true;
  }
  await tx.db
    .insertInto("consultation_remote")
    .values({ ...values, uri: input.uri, organiser_uri: input.organiserUri })
    .execute();
  return true;
}

async function notifyResults(tx: Tx, publicUrl: URL, remoteId: string, input: RemoteInput) {
  const voters = await tx.db
    .selectFrom("consultation_remote_participations")
    .select("user_id")
    .where("remote_id", "=", remoteId)
    .where("refused", "is", null)
    .execute();
  const representative = input.results?.representative !== false;
  for (const v of voters)
    await notify(tx, publicUrl, {
      userId: v.user_id,
      kind: representative ? "consultations:results" : "consultations:resultsNotRepresentative",
      data: { title: input.title.slice(0, 300) },
      link: `/consultations/reseau/${remoteId}`,
    });
}

export async function findRemote(db: Db, id: string): Promise<RemoteConsultation | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom("consultation_remote")
    .selectAll()
    .where("id", "=", id)
    .executeTakeFirst();
  return row && toRemote(row);
}

export async function listRemote(db: Db, limit = 100): Promise<RemoteConsultation[]> {
  const rows = await db
    .selectFrom("consultation_remote")
    .selectAll()
    .orderBy("ends_at", "desc")
    .limit(limit)
    .execute();
  return rows.map(toRemote);
}

export const remoteOpen = (rc: RemoteConsultation, now = new Date()) =>
  !rc.closed && now < rc.endsAt;

/**
 * The per-member token: the same for one member and consultation, unrelated across them. Network
 * budgets use it too (ADR 0136), under their own purpose, so a member's token for a budget never
 * equals one for a consultation published at the same URI.
 */
export async function voteToken(
  db: Db,
  userId: string,
  consultationUri: string,
  purpose: "consultation-vote" | "budget-vote" = "consultation-vote",
): Promise<string> {
  const row = await sql<{ vote_secret: string }>`
    select vote_secret from instance_settings where id = 1`.execute(db);
  const secret = row.rows[0]?.vote_secret;
  if (!secret) throw new Error("the instance has no vote secret");
  return crypto
    .createHmac("sha256", secret)
    .update(`${purpose}:${userId}:${consultationUri}`)
    .digest("base64url");
}

export async function participation(db: Db, remoteId: string, userId: string) {
  return db
    .selectFrom("consultation_remote_participations")
    .select(["refused", "created_at"])
    .where("remote_id", "=", remoteId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
}

export type RemoteAnswerRefusal = "not_open" | "already_answered" | "no_federation";

/**
 * A member's answer to a network consultation: their participation here (its key refuses a
 * second sending), then the vote to the organiser. Only active members answer (the session
 * says so); the consultations of the network have no age-restricted audience yet, so no age band
 * is sent.
 */
export async function answerRemote(
  tx: Tx,
  rc: RemoteConsultation,
  user: User,
  answers: Answers,
  port: ConsultationsPort | undefined,
  now = new Date(),
): Promise<Result<void, RemoteAnswerRefusal>> {
  if (!remoteOpen(rc, now)) return fail("not_open");
  if (!port?.voted) return fail("no_federation");
  const took = await tx.db
    .insertInto("consultation_remote_participations")
    .values({ remote_id: rc.id, user_id: user.id, activity_id: "" })
    .onConflict((oc) => oc.columns(["remote_id", "user_id"]).doNothing())
    .returning("user_id")
    .executeTakeFirst();
  if (!took) return fail("already_answered");
  const activityId = await port.voted(tx, {
    consultationUri: rc.uri,
    organiserUri: rc.organiserUri,
    token: await voteToken(tx.db, user.id, rc.uri),
    answers,
    poll: rc.questions.length === 1 ? rc.questions[0] : undefined,
  });
  await tx.db
    .updateTable("consultation_remote_participations")
    .set({ activity_id: activityId })
    .where("remote_id", "=", rc.id)
    .where("user_id", "=", user.id)
    .execute();
  return ok(undefined);
}

/**
 * The organiser refused a vote (Reject): the member's page says why. Except `already_counted`:
 * this instance sends one vote per member and consultation, so its token being counted means the
 * member's vote was counted, and the Reject answers a replay of that vote (by anyone who saw it).
 * Marking it would show a counted voter as refused and keep the results from them (ADR 0132).
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
    .updateTable("consultation_remote_participations")
    .set({ refused: reason.slice(0, 100) })
    .where("activity_id", "=", activityId)
    .where("remote_id", "in", (eb) =>
      eb.selectFrom("consultation_remote").select("id").where("organiser_uri", "=", senderUri),
    )
    .executeTakeFirst();
  return done.numUpdatedRows > 0n;
}
