// Other instances' offers, as federation hands them over: kept in our catalogue with their
// territory (the publisher's remote actor), changed and deleted only by their publisher, and the
// answers and notices their publisher sends about our members' registrations.
import type { ExpressionBuilder } from "kysely";
import { contentChanged } from "../lib/changes.ts";
import type { Db } from "../db/database.ts";
import type { Database } from "../db/schema.ts";
import type { Tx } from "../db/transaction.ts";
import { notify } from "../notifications/notifications.service.ts";
import type { OfferInsert } from "./offers.repo.ts";
import type { BookingDeps } from "./booking.types.ts";

const FALLBACK_CATEGORY = "loisirs";

/** An Event as federation read it: the offer's columns, its category by slug. */
export interface RemoteEvent {
  uri: string;
  values: Omit<OfferInsert, "category_id"> & { category_slug: string };
}

/**
 * The offer's category, read by the statement that writes the offer (issue 15: one statement
 * less per offer): the slug's, else the fallback's; null when neither exists, which the offer's
 * not-null column refuses (see `noCategory`).
 */
function categoryOf(slug: string) {
  return (eb: ExpressionBuilder<Database, "offers">) =>
    eb
      .selectFrom("offer_categories")
      .select("id")
      .where("slug", "in", [slug || FALLBACK_CATEGORY, FALLBACK_CATEGORY])
      // The slug's own before the fallback (false sorts first).
      .orderBy((c) => c("slug", "=", FALLBACK_CATEGORY))
      .limit(1);
}

/** The database refusing an offer without a category: no category exists to file it under. */
function noCategory(error: unknown): Error | undefined {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (e?.code !== "23502" || !String(e.message).includes('"category_id"')) return undefined;
  return new Error("no category to file remote offers under", { cause: error });
}

/**
 * A publisher's new offer in one statement (remote_uri is unique): its id, or undefined when an
 * offer with that id is kept already, whoever published it (`refreshRemoteOffer` then).
 */
async function insertIfNew(db: Db, publisherId: number, event: RemoteEvent) {
  const { category_slug, ...values } = event.values;
  const created = await db
    .insertInto("offers")
    .values({ ...values, category_id: categoryOf(category_slug), remote_actor_id: publisherId })
    .onConflict((oc) => oc.column("remote_uri").doNothing())
    .returning("id")
    .executeTakeFirst()
    .catch((error: unknown) => {
      throw noCategory(error) ?? error;
    });
  return created?.id;
}

/**
 * Outside any transaction: a new offer is the usual case of an incoming Event, and its one
 * statement commits on its own, so it needs no transaction around it (issue 15: a begin and a
 * commit less per offer). Undefined when the offer is kept already: `refreshRemoteOffer`.
 */
export async function createRemoteOffer(
  db: Db,
  publisherId: number,
  event: RemoteEvent,
): Promise<string | undefined> {
  if (db.isTransaction) throw new TypeError("createRemoteOffer commits on its own");
  const id = await insertIfNew(db, publisherId, event);
  // Cached pages show the new offer now that it is committed (ADR 0150).
  if (id) contentChanged();
  return id;
}

/** Creates or refreshes a publisher's offer; a newly cancelled one cancels our members'
 * registrations. Another publisher's offer with that id is left alone. */
export async function saveRemoteOffer(
  tx: Tx,
  deps: Pick<BookingDeps, "publicUrl">,
  publisherId: number,
  event: RemoteEvent,
): Promise<string> {
  const created = await insertIfNew(tx.db, publisherId, event);
  // Cached pages show the publisher's change once it is committed (ADR 0150).
  if (created) {
    tx.afterCommit(contentChanged);
    return created;
  }
  return refreshRemoteOffer(tx, deps, publisherId, event);
}

/** The publisher's offer kept already, changed as it says; a newly cancelled one cancels our
 * members' registrations. Another publisher's offer with that id is left alone. */
export async function refreshRemoteOffer(
  tx: Tx,
  deps: Pick<BookingDeps, "publicUrl">,
  publisherId: number,
  event: RemoteEvent,
): Promise<string> {
  const { category_slug, ...values } = event.values;
  const row = { ...values, category_id: categoryOf(category_slug) };
  const before = await tx.db
    .selectFrom("offers")
    .select(["id", "status", "remote_actor_id"])
    .where("remote_uri", "=", event.uri)
    .forUpdate()
    .executeTakeFirstOrThrow();
  if (before.remote_actor_id !== publisherId) return before.id;
  tx.afterCommit(contentChanged);
  const { published_at: _published, ...changes } = row;
  await tx.db
    .updateTable("offers")
    .set({ ...changes, updated_at: new Date() })
    .where("id", "=", before.id)
    .execute();
  if (row.status === "cancelled" && before.status !== "cancelled")
    await endRegistrations(tx, deps.publicUrl, before.id, row.title);
  return before.id;
}

/** The home instance cancelled its offer: our members' registrations end, and they are told. */
async function endRegistrations(tx: Tx, publicUrl: URL, offerId: string, title: string) {
  const ended = await tx.db
    .updateTable("offer_registrations")
    .set({ status: "cancelled", cancelled_by: "offer", cancelled_at: new Date() })
    .where("offer_id", "=", offerId)
    .where("status", "<>", "cancelled")
    .returning("user_id")
    .execute();
  for (const { user_id } of ended)
    if (user_id)
      await notify(tx, publicUrl, {
        userId: user_id,
        kind: "offers:offerCancelled",
        data: { offer: title, reason: "" },
        link: `/offers/${offerId}`,
        email: "registrations",
      });
}

/** Its publisher deleted the offer: it leaves the catalogue. True when there was one. */
export async function deleteRemoteOffer(
  tx: Tx,
  publisherId: number,
  uri: string,
): Promise<boolean> {
  const gone = await tx.db
    .deleteFrom("offers")
    .where("remote_uri", "=", uri)
    .where("remote_actor_id", "=", publisherId)
    .returning("id")
    .executeTakeFirst();
  if (gone) tx.afterCommit(contentChanged);
  return gone !== undefined;
}

/**
 * A remote offer whose own instance answers a Tombstone at its address (an Announce from a relay
 * led us there): removed, whoever published it, since its instance itself says it is gone.
 */
export async function deleteRelayedOffer(tx: Tx, uri: string): Promise<boolean> {
  const gone = await tx.db
    .deleteFrom("offers")
    .where("remote_uri", "=", uri)
    .returning("id")
    .executeTakeFirst();
  return gone !== undefined;
}

export type RemoteAnswer =
  | { status: "confirmed" }
  | { status: "waitlisted"; position: number | null }
  | { status: "rejected"; reason: string };

/**
 * The publisher's answer to one of our members' Join: the registration takes its status and the
 * member is told. False when `joinActivityId` is not one of our Joins to that publisher.
 */
export async function applyRemoteAnswer(
  tx: Tx,
  deps: BookingDeps,
  publisherId: number,
  joinActivityId: string,
  answer: RemoteAnswer,
): Promise<boolean> {
  const registration = await tx.db
    .selectFrom("offer_registrations as r")
    .innerJoin("offers as o", "o.id", "r.offer_id")
    .select(["r.id", "r.status", "r.user_id", "r.persons", "r.cancelled_by", "o.id as offer_id"])
    .select(["o.title", "o.remote_actor_id", "o.remote_uri"])
    .where("r.join_activity_id", "=", joinActivityId)
    .where("r.user_id", "is not", null)
    .forUpdate("r")
    .executeTakeFirst();
  if (!registration?.remote_actor_id || registration.remote_actor_id !== publisherId) return false;
  const userId = registration.user_id!;
  if (registration.status === "cancelled") {
    // The member left before the answer came: the Leave may have overtaken the Join on the
    // way, so it is said again for a booking the publisher reports as made.
    if (registration.cancelled_by === "member" && answer.status !== "rejected")
      await deps.federation.left(tx, {
        userId,
        offerUri: registration.remote_uri!,
        publisherId,
      });
    return true;
  }
  const now = new Date();
  await tx.db
    .updateTable("offer_registrations")
    .set(
      answer.status === "confirmed"
        ? { status: "confirmed", confirmed_at: now, remote_position: null }
        : answer.status === "waitlisted"
          ? { status: "waitlisted", remote_position: answer.position }
          : {
              status: "cancelled",
              cancelled_by: "offer",
              cancelled_at: now,
              refusal: answer.reason,
            },
    )
    .where("id", "=", registration.id)
    .execute();
  const kind =
    answer.status === "confirmed"
      ? registration.status === "waitlisted"
        ? "promoted"
        : "registrationConfirmed"
      : answer.status === "waitlisted"
        ? "waitlisted"
        : "remoteRefused";
  if (kind === "waitlisted" && registration.status === "waitlisted") return true;
  await notify(tx, deps.publicUrl, {
    userId,
    kind: `offers:${kind}`,
    data: {
      offer: registration.title,
      persons: registration.persons,
      ...(answer.status === "waitlisted" ? { position: answer.position ?? "?" } : {}),
    },
    link: `/offers/${registration.offer_id}`,
    email: "registrations",
  });
  return true;
}

/**
 * A message from the publisher of an offer to the participants it names: those of our members
 * registered for it are told, as for a message of our own staff. The number told.
 */
export async function noticeFromPublisher(
  tx: Tx,
  deps: Pick<BookingDeps, "publicUrl">,
  notice: { offerUri: string; publisherId: number; userIds: string[]; message: string },
): Promise<number> {
  if (notice.userIds.length === 0) return 0;
  const rows = await tx.db
    .selectFrom("offer_registrations as r")
    .innerJoin("offers as o", "o.id", "r.offer_id")
    .select(["r.user_id", "o.id", "o.title"])
    .where("o.remote_uri", "=", notice.offerUri)
    .where("o.remote_actor_id", "=", notice.publisherId)
    .where("r.user_id", "in", notice.userIds)
    .where("r.status", "<>", "cancelled")
    .execute();
  for (const row of rows)
    await notify(tx, deps.publicUrl, {
      userId: row.user_id!,
      kind: "offers:message",
      data: { offer: row.title, message: notice.message },
      link: `/offers/${row.id}`,
      email: "registrations",
    });
  return rows.length;
}
