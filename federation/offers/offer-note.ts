// The short public Note that goes with a public offer when the administrator asks for it (offers
// setting `microblogNotes`, issue 16 item 14): microblogging software drops `Event`s, so a
// follower there of the CMCAS would otherwise see nothing. The note says what, when (in the
// instance's time zone), where, and links to the offer's page; it is created, updated and deleted
// with the offer (a cancelled offer's note is deleted). Other Maillage instances show the Event
// and ignore the note: it names its offer in `noteOf` (our namespace).
import "../temporal.ts";
import { Create, Note, PUBLIC_COLLECTION, Update } from "@fedify/vocab";
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { escapeText as escapeHtml } from "../../server/lib/html-policy.ts";
import type { ObjectExtras } from "../extras.ts";
import type { FederationDeps } from "../deps.ts";
import { deleteFromCmcas, publishToFollowers } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";
import { federatedOffer, MAILLAGE_NS, offerUri, type FederatedOffer } from "./event.ts";

export const NOTE_OF = "noteOf";

const NOTE_CONTEXT = {
  maillage: MAILLAGE_NS,
  [NOTE_OF]: { "@id": "maillage:noteOf", "@type": "@id" },
};

/** The note's id: beside the offer's, stable across its edits. */
export function offerNoteUri(publicUrl: URL, offerId: string): URL {
  return new URL(`/offers/${offerId}/note`, publicUrl);
}

/**
 * Whether the administrator asked for notes (off by default). Read with the caller's transaction:
 * in embedded mode PGlite has one connection, which the transaction holds, so a read through the
 * modules' own handle (their cache refresh) would wait for it forever.
 */
export async function notesWanted(tx: Tx, deps: FederationDeps): Promise<boolean> {
  const row = await tx.db
    .selectFrom("module_states")
    .select("settings")
    .where("name", "=", "offers")
    .executeTakeFirst();
  const stored = row?.settings as Record<string, unknown> | undefined;
  if (stored && "microblogNotes" in stored) return stored.microblogNotes === true;
  return deps.app.modules.settings("offers").microblogNotes === true;
}

/** "samedi 12 juillet 2026, 9:00 – 17:00" or from one day to another, in `timeZone`. */
export function offerDates(start: Date, end: Date, timeZone: string): string {
  const format = new Intl.DateTimeFormat("fr-FR", {
    timeZone,
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
  });
  return format.formatRange(start, end);
}

function offerPlace(offer: FederatedOffer): string {
  if (offer.location_kind === "online") return "En ligne";
  return [offer.address, [offer.postal_code, offer.city].filter(Boolean).join(" ")]
    .filter(Boolean)
    .join(", ");
}

export function offerNote(publicUrl: URL, timeZone: string, offer: FederatedOffer): Note {
  const page = offerUri(publicUrl, offer.id);
  const actor = actorUri(publicUrl, CMCAS_ACTOR);
  const place = offerPlace(offer);
  const content = [
    `<p><strong>${escapeHtml(offer.title)}</strong></p>`,
    `<p>${escapeHtml(offerDates(offer.starts_at, offer.ends_at, timeZone))}`,
    place ? `<br>${escapeHtml(place)}</p>` : "</p>",
    `<p><a href="${escapeHtml(page.href)}">${escapeHtml(page.href)}</a></p>`,
  ].join("");
  return new Note({
    id: offerNoteUri(publicUrl, offer.id),
    attribution: actor,
    url: page,
    content,
    published: offer.published_at
      ? Temporal.Instant.fromEpochMilliseconds(offer.published_at.getTime())
      : null,
    updated: Temporal.Instant.fromEpochMilliseconds(offer.updated_at.getTime()),
    to: PUBLIC_COLLECTION,
    cc: new URL(`${actor.href}/followers`),
  });
}

export const noteExtras = (publicUrl: URL, offerId: string): ObjectExtras => ({
  context: NOTE_CONTEXT,
  fields: { [NOTE_OF]: offerUri(publicUrl, offerId).href },
});

/**
 * Whether an offer has a note now: public, published, neither a draft nor cancelled. A note of
 * an offer that stops being so (cancelled, deleted, made `network` or `local`) is deleted.
 */
export function noteLive(
  offer: Pick<FederatedOffer, "visibility" | "published_at" | "status"> | undefined,
): boolean {
  return (
    offer !== undefined &&
    offer.visibility === "public" &&
    offer.published_at !== null &&
    offer.status !== "draft" &&
    offer.status !== "cancelled"
  );
}

/**
 * The type of the last activity about the offer's note we sent (Create, Update, Delete), or
 * undefined when none was: the outbox (kept for good) is the record of what followers have.
 */
export async function lastNoteActivity(
  db: Db,
  publicUrl: URL,
  offerId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("federation_outbox")
    .select("activity_type")
    .where("actor", "=", CMCAS_ACTOR)
    .where(sql<string>`activity->'object'->>'id'`, "=", offerNoteUri(publicUrl, offerId).href)
    .orderBy("id", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.activity_type;
}

/**
 * Brings followers' copy of the offer's note in line with the offer (undefined once deleted):
 * Create when it has none, Update when it has one, Delete when the offer has no note any more
 * (whatever the setting says now: a note must not outlive its public offer).
 */
export async function syncOfferNote(
  tx: Tx,
  deps: FederationDeps,
  offerId: string,
  offer: FederatedOffer | undefined,
): Promise<void> {
  const publicUrl = deps.app.config.publicUrl;
  const last = await lastNoteActivity(tx.db, publicUrl, offerId);
  const sent = last === "Create" || last === "Update";
  if (!noteLive(offer)) {
    if (sent)
      await deleteFromCmcas(tx, publicUrl, offerNoteUri(publicUrl, offerId), { public: true });
    return;
  }
  if (!(await notesWanted(tx, deps))) return;
  const note = offerNote(publicUrl, deps.app.config.timezone, offer!);
  const values = {
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, CMCAS_ACTOR),
    object: note,
    tos: note.toIds,
    ccs: note.ccIds,
  };
  const activity = sent ? new Update(values) : new Create(values);
  await publishToFollowers(tx, CMCAS_ACTOR, activity, noteExtras(publicUrl, offerId));
}

/** At most this many notes per run of the job that follows the setting being switched on. */
export const MISSING_NOTES_LIMIT = 200;

/**
 * The setting was switched on: the offers public then, still to come, get their note (those
 * starting soonest first, up to the limit); those that have one are left alone.
 */
export async function sendMissingNotes(deps: FederationDeps, now = new Date()): Promise<number> {
  return deps.app.transaction(async (tx) => {
    if (!(await notesWanted(tx, deps))) return 0;
    const ids = await tx.db
      .selectFrom("offers")
      .select("id")
      .where("remote_uri", "is", null)
      .where("visibility", "=", "public")
      .where("published_at", "is not", null)
      .where("status", "not in", ["draft", "cancelled"])
      .where("starts_at", ">", now)
      .orderBy("starts_at")
      .limit(MISSING_NOTES_LIMIT)
      .execute();
    let sent = 0;
    for (const { id } of ids) {
      if (await lastNoteActivity(tx.db, deps.app.config.publicUrl, id)) continue;
      await syncOfferNote(tx, deps, id, await federatedOffer(tx.db, id));
      sent++;
    }
    return sent;
  });
}
