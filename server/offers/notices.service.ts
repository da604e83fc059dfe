// What offers tell members outside of a booking: last-minute places to category subscribers,
// reminders before the activity, and staff messages to participants. Every function is safe to
// run twice: a notice already given is recorded and never repeated.
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { notify } from "../notifications/notifications.service.ts";
import { readOfferSettings } from "./offers.repo.ts";
import { completeEndedOffers } from "./offers.service.ts";
import type { BookingDeps } from "./booking.types.ts";

export interface NoticeDeps {
  publicUrl: URL;
  now?: Date;
}

export async function subscribedCategories(db: Db, userId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("offer_category_subscriptions")
    .select("category_id")
    .where("user_id", "=", userId)
    .execute();
  return rows.map((r) => r.category_id);
}

export async function setSubscriptions(
  db: Db,
  userId: string,
  categoryIds: string[],
): Promise<void> {
  await db.deleteFrom("offer_category_subscriptions").where("user_id", "=", userId).execute();
  if (categoryIds.length === 0) return;
  await db
    .insertInto("offer_category_subscriptions")
    .values(categoryIds.map((category_id) => ({ user_id: userId, category_id })))
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/**
 * Tells the subscribers of the offer's category that places are free, if they still are, the
 * offer starts within the last-minute window and registrations are open. Each subscriber hears
 * about one offer once; those already registered are not told.
 */
export async function announceLastMinute(
  tx: Tx,
  deps: NoticeDeps,
  offerId: string,
): Promise<number> {
  const now = deps.now ?? new Date();
  const { lastMinuteDays } = await readOfferSettings(tx.db);
  const until = new Date(now.getTime() + lastMinuteDays * 86_400_000);
  const offer = await tx.db
    .selectFrom("offers")
    .select(["id", "title", "category_id", "capacity", "places_taken", "visibility"])
    .where("id", "=", offerId)
    .where("status", "=", "published")
    .where("starts_at", ">", now)
    .where("starts_at", "<=", until)
    .where("places_taken", "<", sql<number>`capacity`)
    .where((eb) =>
      eb.or([eb("registration_closes_at", "is", null), eb("registration_closes_at", ">", now)]),
    )
    .forUpdate()
    .executeTakeFirst();
  if (!offer) return 0;
  const recipients = await tx.db
    .insertInto("offer_last_minute_notices")
    .columns(["offer_id", "user_id"])
    .expression((eb) =>
      eb
        .selectFrom("offer_category_subscriptions as s")
        .select([sql<string>`${offer.id}::uuid`.as("offer_id"), "s.user_id"])
        .where("s.category_id", "=", offer.category_id)
        .where((w) =>
          w.not(
            w.exists(
              w
                .selectFrom("offer_registrations as r")
                .select("r.id")
                .whereRef("r.user_id", "=", "s.user_id")
                .where("r.offer_id", "=", offer.id)
                .where("r.status", "<>", "cancelled"),
            ),
          ),
        ),
    )
    .onConflict((oc) => oc.doNothing())
    .returning("user_id")
    .execute();
  await tx.db
    .updateTable("offers")
    .set({ last_minute_announced_at: now })
    .where("id", "=", offer.id)
    .execute();
  const left = offer.capacity - offer.places_taken;
  for (const { user_id } of recipients) {
    await notify(tx, deps.publicUrl, {
      userId: user_id,
      kind: "offers:lastMinute",
      data: { offer: offer.title, count: left },
      link: `/offers/${offer.id}`,
      email: "lastMinute",
    });
  }
  return recipients.length;
}

/** Offers entering the last-minute window with places left, never announced yet. */
export async function offersToAnnounce(db: Db, now = new Date()): Promise<string[]> {
  const { lastMinuteDays } = await readOfferSettings(db);
  const rows = await db
    .selectFrom("offers")
    .select("id")
    .where("status", "=", "published")
    .where("last_minute_announced_at", "is", null)
    .where("starts_at", ">", now)
    .where("starts_at", "<=", new Date(now.getTime() + lastMinuteDays * 86_400_000))
    .where("places_taken", "<", sql<number>`capacity`)
    .limit(500)
    .execute();
  return rows.map((r) => r.id);
}

/** The periodic sweep: completes ended offers and lists offers to announce. */
export async function sweep(db: Db, now = new Date()) {
  const completed = await completeEndedOffers(db, now);
  return { completed, announce: await offersToAnnounce(db, now) };
}

/**
 * Reminds confirmed participants of offers starting within the reminder window. The row is
 * marked reminded in the same transaction as the notice, so a retried job never repeats one.
 */
export async function sendReminders(tx: Tx, deps: NoticeDeps, limit = 500): Promise<number> {
  const now = deps.now ?? new Date();
  const { reminderDays } = await readOfferSettings(tx.db);
  const due = await tx.db
    .updateTable("offer_registrations as r")
    .from("offers as o")
    .set({ reminded_at: now })
    .whereRef("o.id", "=", "r.offer_id")
    // Checked again on the locked row, so a concurrent run skips what this one took.
    .where("r.reminded_at", "is", null)
    .where("r.id", "in", (eb) =>
      eb
        .selectFrom("offer_registrations as x")
        .innerJoin("offers as y", "y.id", "x.offer_id")
        .select("x.id")
        .where("x.status", "=", "confirmed")
        .where("x.reminded_at", "is", null)
        .where("x.user_id", "is not", null)
        .where("y.status", "=", "published")
        .where("y.starts_at", ">", now)
        .where("y.starts_at", "<=", new Date(now.getTime() + reminderDays * 86_400_000))
        .limit(limit),
    )
    .returning([
      "r.user_id",
      "o.id as offer_id",
      "o.title",
      "o.starts_at",
      "o.timezone",
      sql<string>`(select language from users where id = r.user_id)`.as("language"),
    ])
    .execute();
  for (const row of due) {
    if (!row.user_id) continue;
    await notify(tx, deps.publicUrl, {
      userId: row.user_id,
      kind: "offers:reminder",
      data: {
        offer: row.title,
        date: new Intl.DateTimeFormat(row.language === "en" ? "en-GB" : "fr-FR", {
          dateStyle: "full",
          timeStyle: "short",
          timeZone: row.timezone,
        }).format(row.starts_at),
      },
      link: `/offers/${row.offer_id}`,
      email: "reminders",
    });
  }
  return due.length;
}

/** A staff message to the participants (confirmed, and waiting ones if asked). */
export async function messageParticipants(
  tx: Tx,
  deps: BookingDeps,
  input: { offerId: string; senderId: string; body: string; includeWaitlist: boolean },
): Promise<number> {
  const offer = await tx.db
    .selectFrom("offers")
    .select(["id", "title"])
    .where("id", "=", input.offerId)
    .executeTakeFirst();
  if (!offer) return 0;
  const statuses = input.includeWaitlist
    ? (["confirmed", "waitlisted"] as const)
    : (["confirmed"] as const);
  const rows = await tx.db
    .selectFrom("offer_registrations")
    .select("user_id")
    .where("offer_id", "=", offer.id)
    .where("status", "in", [...statuses])
    .where("user_id", "is not", null)
    .execute();
  const remote = await tx.db
    .selectFrom("offer_registrations")
    .select("actor_url")
    .where("offer_id", "=", offer.id)
    .where("status", "in", [...statuses])
    .where("actor_url", "is not", null)
    .execute();
  // Members of other instances get it through federation (a direct Note).
  await deps.federation.messageSent(
    tx,
    offer,
    input.body,
    remote.map((r) => r.actor_url!),
  );
  for (const { user_id } of rows) {
    await notify(tx, deps.publicUrl, {
      userId: user_id!,
      kind: "offers:message",
      data: { offer: offer.title, message: input.body },
      link: `/offers/${offer.id}`,
      email: "registrations",
    });
  }
  await tx.db
    .insertInto("offer_messages")
    .values({
      offer_id: offer.id,
      sender_id: input.senderId,
      body: input.body,
      recipients: rows.length + remote.length,
    })
    .execute();
  return rows.length + remote.length;
}

export async function listMessages(db: Db, offerId: string) {
  return db
    .selectFrom("offer_messages as m")
    .leftJoin("users as u", "u.id", "m.sender_id")
    .select(["m.body", "m.recipients", "m.created_at", "u.display_name"])
    .where("m.offer_id", "=", offerId)
    .orderBy("m.created_at", "desc")
    .limit(20)
    .execute();
}
