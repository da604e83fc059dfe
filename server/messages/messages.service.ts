// In-app messages between two members, one shared module for every feature that puts members in
// touch (rides, housing, services): a feature starts a conversation about one of its listings
// (`context`), the two members write to each other, and their contact details (e-mail) are shown
// only once both have agreed. Either may block the conversation (no more messages) or report it
// to the moderators with a reason.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { isUuid } from "../offers/offers.repo.ts";
import "./messages.tables.ts";

export const BODY_MAX = 4000;
export const REASON_MAX = 1000;

export interface MessageDeps {
  publicUrl: URL;
}

type Side = "a" | "b";
const pair = (x: string, y: string): [string, string] => (x < y ? [x, y] : [y, x]);

export interface ConversationSummary {
  id: string;
  subject: string;
  link: string | null;
  other: string;
  unread: boolean;
  blocked: boolean;
  lastMessageAt: Date;
}

export interface ConversationView extends ConversationSummary {
  otherId: string;
  iShare: boolean;
  otherShares: boolean;
  blockedByMe: boolean;
  /** Both agreed: each sees the other's e-mail. */
  contact: { name: string; email: string } | null;
  messages: { id: string; mine: boolean; author: string; body: string; createdAt: Date }[];
}

export type StartError = "self" | "not_found" | "empty" | "too_long" | "blocked";

function checkBody(body: string): Result<string, "empty" | "too_long"> {
  const text = body.trim();
  if (text.length === 0) return fail("empty");
  if (text.length > BODY_MAX) return fail("too_long");
  return ok(text);
}

/**
 * Opens (or continues) the conversation of two members about one subject and writes the first
 * message. `context` names the subject (`covoiturage:ride:<id>`): one subject, one conversation.
 */
export async function startConversation(
  tx: Tx,
  deps: MessageDeps,
  input: {
    fromId: string;
    toId: string;
    subject: string;
    context?: string;
    link?: string;
    body: string;
  },
): Promise<Result<{ id: string }, StartError>> {
  if (input.fromId === input.toId) return fail("self");
  if (!isUuid(input.toId)) return fail("not_found");
  const text = checkBody(input.body);
  if (!text.ok) return text;
  const to = await tx.db
    .selectFrom("users")
    .select("id")
    .where("id", "=", input.toId)
    .executeTakeFirst();
  if (!to) return fail("not_found");
  const [a, b] = pair(input.fromId, input.toId);
  const context = input.context ?? "";
  await tx.db
    .insertInto("conversations")
    .values({
      a_id: a,
      b_id: b,
      subject: input.subject.slice(0, 200),
      context,
      link: input.link ?? null,
    })
    .onConflict((oc) => oc.columns(["a_id", "b_id", "context"]).doNothing())
    .execute();
  const conversation = await tx.db
    .selectFrom("conversations")
    .select("id")
    .where("a_id", "=", a)
    .where("b_id", "=", b)
    .where("context", "=", context)
    .forUpdate()
    .executeTakeFirstOrThrow();
  const sent = await sendMessage(tx, deps, {
    conversationId: conversation.id,
    userId: input.fromId,
    body: text.value,
  });
  if (!sent.ok) return fail(sent.error === "not_found" ? "not_found" : sent.error);
  return ok({ id: conversation.id });
}

async function membership(db: Db, conversationId: string, userId: string, lock = false) {
  if (!isUuid(conversationId)) return undefined;
  let query = db
    .selectFrom("conversations")
    .selectAll()
    .where("id", "=", conversationId)
    .where((eb) => eb.or([eb("a_id", "=", userId), eb("b_id", "=", userId)]));
  if (lock) query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) return undefined;
  const side: Side = row.a_id === userId ? "a" : "b";
  return { row, side, otherId: side === "a" ? row.b_id : row.a_id };
}

export async function sendMessage(
  tx: Tx,
  deps: MessageDeps,
  input: { conversationId: string; userId: string; body: string },
): Promise<Result<void, "not_found" | "empty" | "too_long" | "blocked">> {
  const found = await membership(tx.db, input.conversationId, input.userId, true);
  if (!found) return fail("not_found");
  if (found.row.blocked_by !== null) return fail("blocked");
  const text = checkBody(input.body);
  if (!text.ok) return text;
  const now = new Date();
  // The recipient hears of the conversation once, not of every message: a notice only when they
  // had read everything so far.
  const otherRead = found.side === "a" ? found.row.b_read_at : found.row.a_read_at;
  const hadUnread = otherRead === null || otherRead < found.row.last_message_at;
  const isFirst = !(await tx.db
    .selectFrom("conversation_messages")
    .select("id")
    .where("conversation_id", "=", found.row.id)
    .executeTakeFirst());
  await tx.db
    .insertInto("conversation_messages")
    .values({ conversation_id: found.row.id, author_id: input.userId, body: text.value })
    .execute();
  await tx.db
    .updateTable("conversations")
    .set(
      found.side === "a"
        ? { last_message_at: now, a_read_at: now }
        : { last_message_at: now, b_read_at: now },
    )
    .where("id", "=", found.row.id)
    .execute();
  if (isFirst || !hadUnread) {
    const author = await tx.db
      .selectFrom("users")
      .select("display_name")
      .where("id", "=", input.userId)
      .executeTakeFirstOrThrow();
    await notify(tx, deps.publicUrl, {
      userId: found.otherId,
      kind: "messages:newMessage",
      data: { from: author.display_name, subject: found.row.subject },
      link: `/messages/${found.row.id}`,
    });
  }
  return ok(undefined);
}

function unreadFor(side: Side) {
  const read = side === "a" ? "a_read_at" : "b_read_at";
  return sql<boolean>`(${sql.ref(read)} is null or ${sql.ref(read)} < last_message_at)`;
}

export async function listConversations(db: Db, userId: string): Promise<ConversationSummary[]> {
  const rows = await db
    .selectFrom("conversations as c")
    .innerJoin("users as u", (j) =>
      j.on(sql<boolean>`u.id = case when c.a_id = ${userId} then c.b_id else c.a_id end`),
    )
    .select([
      "c.id",
      "c.subject",
      "c.link",
      "c.a_id",
      "c.a_read_at",
      "c.b_read_at",
      "c.blocked_by",
      "c.last_message_at",
      "u.display_name",
    ])
    .where((eb) => eb.or([eb("c.a_id", "=", userId), eb("c.b_id", "=", userId)]))
    .orderBy("c.last_message_at", "desc")
    .limit(200)
    .execute();
  return rows.map((r) => {
    const read = r.a_id === userId ? r.a_read_at : r.b_read_at;
    return {
      id: r.id,
      subject: r.subject,
      link: r.link,
      other: r.display_name,
      unread: read === null || read < r.last_message_at,
      blocked: r.blocked_by !== null,
      lastMessageAt: r.last_message_at,
    };
  });
}

/** Conversations with a message the member has not read (the count beside "Messages"). */
export async function countUnreadConversations(db: Db, userId: string): Promise<number> {
  const [a, b] = await Promise.all(
    (["a", "b"] as const).map((side) =>
      db
        .selectFrom("conversations")
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .where(side === "a" ? "a_id" : "b_id", "=", userId)
        .where(unreadFor(side))
        .executeTakeFirstOrThrow(),
    ),
  );
  return Number(a!.n) + Number(b!.n);
}

/** The conversation as one of its two members sees it; reading it marks it read. */
export async function openConversation(
  db: Db,
  conversationId: string,
  userId: string,
): Promise<ConversationView | undefined> {
  const found = await membership(db, conversationId, userId);
  if (!found) return undefined;
  const { row, side, otherId } = found;
  const [other, me, messages] = await Promise.all([
    db
      .selectFrom("users")
      .select(["display_name", "email"])
      .where("id", "=", otherId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("users")
      .select("display_name")
      .where("id", "=", userId)
      .executeTakeFirstOrThrow(),
    db
      .selectFrom("conversation_messages")
      .select(["id", "author_id", "body", "created_at"])
      .where("conversation_id", "=", row.id)
      .orderBy("created_at")
      .orderBy("id")
      .execute(),
  ]);
  const read = side === "a" ? row.a_read_at : row.b_read_at;
  await db
    .updateTable("conversations")
    .set(side === "a" ? { a_read_at: new Date() } : { b_read_at: new Date() })
    .where("id", "=", row.id)
    .execute();
  const iShare = side === "a" ? row.a_shares : row.b_shares;
  const otherShares = side === "a" ? row.b_shares : row.a_shares;
  return {
    id: row.id,
    subject: row.subject,
    link: row.link,
    other: other.display_name,
    otherId,
    unread: read === null || read < row.last_message_at,
    blocked: row.blocked_by !== null,
    blockedByMe: row.blocked_by === userId,
    lastMessageAt: row.last_message_at,
    iShare,
    otherShares,
    contact: iShare && otherShares ? { name: other.display_name, email: other.email } : null,
    messages: messages.map((m) => ({
      id: m.id,
      mine: m.author_id === userId,
      author: m.author_id === userId ? me.display_name : other.display_name,
      body: m.body,
      createdAt: m.created_at,
    })),
  };
}

/** The member agrees (or no longer agrees) to show their contact details to the other. */
export async function setSharing(
  db: Db,
  input: { conversationId: string; userId: string; share: boolean },
): Promise<Result<void, "not_found">> {
  const found = await membership(db, input.conversationId, input.userId);
  if (!found) return fail("not_found");
  await db
    .updateTable("conversations")
    .set(found.side === "a" ? { a_shares: input.share } : { b_shares: input.share })
    .where("id", "=", found.row.id)
    .execute();
  return ok(undefined);
}

/** Blocks the conversation (no one may write any more); only who blocked may unblock. */
export async function setBlocked(
  db: Db,
  input: { conversationId: string; userId: string; block: boolean },
): Promise<Result<void, "not_found" | "not_yours">> {
  const found = await membership(db, input.conversationId, input.userId);
  if (!found) return fail("not_found");
  if (!input.block && found.row.blocked_by !== null && found.row.blocked_by !== input.userId)
    return fail("not_yours");
  await db
    .updateTable("conversations")
    .set({
      blocked_by: input.block ? input.userId : null,
      // Blocking withdraws the details one had agreed to show.
      ...(input.block ? { a_shares: false, b_shares: false } : {}),
    })
    .where("id", "=", found.row.id)
    .execute();
  return ok(undefined);
}

export async function reportConversation(
  db: Db,
  input: { conversationId: string; userId: string; reason: string },
): Promise<Result<void, "not_found" | "reason_required">> {
  const reason = input.reason.trim().slice(0, REASON_MAX);
  if (reason.length < 3) return fail("reason_required");
  const found = await membership(db, input.conversationId, input.userId);
  if (!found) return fail("not_found");
  await db
    .insertInto("conversation_reports")
    .values({ conversation_id: found.row.id, reporter_id: input.userId, reason })
    .execute();
  return ok(undefined);
}

/** Open reports for the moderators, with the reported conversation's messages. */
export async function openReports(db: Db) {
  const reports = await db
    .selectFrom("conversation_reports as r")
    .innerJoin("conversations as c", "c.id", "r.conversation_id")
    .leftJoin("users as u", "u.id", "r.reporter_id")
    .select([
      "r.id",
      "r.reason",
      "r.created_at",
      "c.id as conversationId",
      "c.subject",
      "u.display_name as reporter",
    ])
    .where("r.closed_at", "is", null)
    .orderBy("r.created_at")
    .limit(100)
    .execute();
  const ids = [...new Set(reports.map((r) => r.conversationId))];
  const messages =
    ids.length === 0
      ? []
      : await db
          .selectFrom("conversation_messages as m")
          .innerJoin("users as u", "u.id", "m.author_id")
          .select(["m.conversation_id", "m.body", "m.created_at", "u.display_name as author"])
          .where("m.conversation_id", "in", ids)
          .orderBy("m.created_at")
          .execute();
  return reports.map((r) => ({
    ...r,
    messages: messages.filter((m) => m.conversation_id === r.conversationId),
  }));
}

/** A moderator closes a report; blocking the conversation is the moderator's other answer. */
export async function closeReport(
  db: Db,
  input: { reportId: string; moderatorId: string; block: boolean },
): Promise<Result<void, "not_found">> {
  if (!isUuid(input.reportId)) return fail("not_found");
  const closed = await db
    .updateTable("conversation_reports")
    .set({ closed_at: new Date(), closed_by: input.moderatorId })
    .where("id", "=", input.reportId)
    .where("closed_at", "is", null)
    .returning("conversation_id")
    .executeTakeFirst();
  if (!closed) return fail("not_found");
  if (input.block)
    await db
      .updateTable("conversations")
      .set({ blocked_by: input.moderatorId, a_shares: false, b_shares: false })
      .where("id", "=", closed.conversation_id)
      .execute();
  return ok(undefined);
}
