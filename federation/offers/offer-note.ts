// The short public Note that goes with a public offer when the administrator asks for it (offers
// setting `microblogNotes`, issue 16 item 14): microblogging software drops `Event`s, so a
// follower there of the CMCAS would otherwise see nothing. The note says what, when (in the
// instance's time zone), where, and links to the offer's page; it is created, updated and deleted
// with the offer (a cancelled offer's note is deleted). Other Maillage instances show the Event
// and ignore the note: it names its offer in `noteOf` (our namespace).
import "../temporal.ts";
import { Create, Note, PUBLIC_COLLECTION, Update } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { escapeText as escapeHtml } from "../../server/lib/html-policy.ts";
import type { ObjectExtras } from "../extras.ts";
import type { FederationDeps } from "../deps.ts";
import { deleteFromCmcas, publishToFollowers } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";
import { MAILLAGE_NS, offerUri, type FederatedOffer } from "./event.ts";

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

const extrasFor = (publicUrl: URL, offerId: string): ObjectExtras => ({
  context: NOTE_CONTEXT,
  fields: { [NOTE_OF]: offerUri(publicUrl, offerId).href },
});

/** Create or Update of the note of a public, not cancelled offer; Delete when cancelled. */
export async function federateOfferNote(
  tx: Tx,
  deps: FederationDeps,
  offer: FederatedOffer,
  change: "Create" | "Update",
): Promise<void> {
  if (offer.visibility !== "public" || !(await notesWanted(tx, deps))) return;
  const publicUrl = deps.app.config.publicUrl;
  if (offer.status === "cancelled") return deleteOfferNote(tx, deps, offer.id);
  const note = offerNote(publicUrl, deps.app.config.timezone, offer);
  const values = {
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, CMCAS_ACTOR),
    object: note,
    tos: note.toIds,
    ccs: note.ccIds,
  };
  const activity = change === "Create" ? new Create(values) : new Update(values);
  await publishToFollowers(tx, CMCAS_ACTOR, activity, extrasFor(publicUrl, offer.id));
}

export async function deleteOfferNote(
  tx: Tx,
  deps: FederationDeps,
  offerId: string,
): Promise<void> {
  if (!(await notesWanted(tx, deps))) return;
  const publicUrl = deps.app.config.publicUrl;
  await deleteFromCmcas(tx, publicUrl, offerNoteUri(publicUrl, offerId), { public: true });
}
