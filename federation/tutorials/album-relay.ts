// The whole album of one of our offers, on the instances of its remote participants (ADR 0127):
// each photo kept in it — a local participant's, or one a remote participant sent — goes from the
// offer's publisher (the CMCAS) to the actors of the offer's remote participants as a `Note` in
// reply to the Event (the photo as an `Image`, alt text in `name`, the caption as content, the
// author's name in `albumAuthorName`, `albumPublic` for their consent), and a staff removal as a
// Delete of that Note. The participants' instances keep these photos beside their own members'
// and show them through their copies of the pictures.
import "../temporal.ts";
import { Create, Delete, Image, Note, Tombstone } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { plainText } from "../../server/offers/rich-text.ts";
import { keepRelayedAlbumPhoto } from "../../server/tutorials/albums.remote.ts";
import { findRemoteActor } from "../actors/remote.ts";
import { route } from "../inbox/route.ts";
import { mediaKey, mediaPath, wantMedia } from "../media/media.ts";
import { plainTerms } from "../offers/terms.ts";
import type { ObjectExtras } from "../extras.ts";
import { MAILLAGE_NS } from "../offers/event.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";

const RELAY_CONTEXT = {
  maillage: MAILLAGE_NS,
  albumPublic: "maillage:albumPublic",
  albumAuthorName: "maillage:albumAuthorName",
};

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

/** The id of our album Note for a photo of one of our offers. */
export function relayedNoteUri(publicUrl: URL, offerId: string, photoId: string): URL {
  return new URL(`/offers/${offerId}/album/${photoId}`, publicUrl);
}

/** The actors of the offer's remote participants (confirmed, not marked absent). */
async function participantActors(tx: Tx, offerId: string): Promise<URL[]> {
  const rows = await tx.db
    .selectFrom("offer_registrations")
    .select("actor_url")
    .distinct()
    .where("offer_id", "=", offerId)
    .where("actor_url", "is not", null)
    .where("status", "=", "confirmed")
    .where((eb) => eb.or([eb("attended", "is", null), eb("attended", "=", true)]))
    .execute();
  return rows.flatMap((r) =>
    r.actor_url && URL.canParse(r.actor_url) ? [new URL(r.actor_url)] : [],
  );
}

/** A photo now in the album of one of our offers: its Note goes to the remote participants. */
export async function relayAlbumPhoto(
  tx: Tx,
  publicUrl: URL,
  input: { offerId: string; photoId: string; pictureUrl?: string },
): Promise<void> {
  const row = await tx.db
    .selectFrom("offer_album_photos as p")
    .innerJoin("offers as o", "o.id", "p.offer_id")
    .leftJoin("users as u", "u.id", "p.author_id")
    .select([
      "p.id",
      "p.caption",
      "p.alt",
      "p.public",
      "p.created_at",
      "p.remote_uri",
      "p.remote_actor_url",
      "p.remote_author_name",
      "u.display_name",
    ])
    .where("p.id", "=", input.photoId)
    .where("p.offer_id", "=", input.offerId)
    .where("p.removed_at", "is", null)
    .where("o.remote_uri", "is", null)
    .executeTakeFirst();
  if (!row) return;
  // A remote participant's photo is fetched from its author's instance (the URL its Note gave).
  const url = row.remote_uri
    ? input.pictureUrl
    : new URL(`/offers/album/${row.id}/photo`, publicUrl).href;
  const to = (await participantActors(tx, input.offerId)).filter(
    (actor) => actor.href !== row.remote_actor_url,
  );
  if (to.length === 0 || !url || !URL.canParse(url)) return;
  const actor = actorUri(publicUrl, CMCAS_ACTOR);
  const note = new Note({
    id: relayedNoteUri(publicUrl, input.offerId, row.id),
    attribution: actor,
    content: row.caption ? `<p>${escapeHtml(row.caption)}</p>` : null,
    replyTarget: new URL(`/offers/${input.offerId}`, publicUrl),
    published: Temporal.Instant.fromEpochMilliseconds(row.created_at.getTime()),
    tos: to,
    attachments: [new Image({ url: new URL(url), mediaType: "image/jpeg", name: row.alt })],
  });
  const extras: ObjectExtras = {
    context: RELAY_CONTEXT,
    fields: {
      albumPublic: row.public,
      albumAuthorName: (row.display_name ?? row.remote_author_name ?? "").slice(0, 200),
    },
  };
  await sendToActors(
    tx,
    CMCAS_ACTOR,
    to,
    new Create({ id: newActivityId(publicUrl), actor, object: note, tos: to }),
    extras,
  );
}

/** A photo left the album of one of our offers: a Delete of its Note to the remote participants. */
export async function relayAlbumRemoval(
  tx: Tx,
  publicUrl: URL,
  input: { offerId: string; photoId: string; reason: string | null },
): Promise<void> {
  // A remote participant's photo never went back to its author (told by albumPhotoRejected).
  const photo = await tx.db
    .selectFrom("offer_album_photos")
    .select("remote_actor_url")
    .where("id", "=", input.photoId)
    .executeTakeFirst();
  const to = (await participantActors(tx, input.offerId)).filter(
    (actor) => actor.href !== photo?.remote_actor_url,
  );
  if (to.length === 0) return;
  await sendToActors(
    tx,
    CMCAS_ACTOR,
    to,
    new Delete({
      id: newActivityId(publicUrl),
      actor: actorUri(publicUrl, CMCAS_ACTOR),
      object: new Tombstone({ id: relayedNoteUri(publicUrl, input.offerId, input.photoId) }),
      ...(input.reason ? { summary: input.reason } : {}),
      tos: to,
    }),
  );
}

/**
 * On a participant's instance: a photo of the album of a remote offer, from the actor that
 * published it. Its own members' photos (their pictures are served here) are already in it.
 */
const onRelayedPhoto = route<Create>({
  name: "tutorials.album-relayed",
  activity: "Create",
  object: "Note",
  async handle(input) {
    const { app } = input.deps;
    const note = await input.object();
    if (!(note instanceof Note) || !note.id || !note.replyTargetId) return false;
    const sender = input.senderUri;
    if (note.attributionId?.href !== sender.href || note.id.origin !== sender.origin) return false;
    let picture: { url: string; alt: string } | undefined;
    for await (const item of note.getAttachments({ suppressError: true }))
      if (!picture && item instanceof Image && item.url instanceof URL)
        picture = { url: item.url.href, alt: item.name?.toString() ?? "" };
    if (!picture || !/^https?:$/.test(new URL(picture.url).protocol)) return false;
    const publisher = await findRemoteActor(app.db, { uri: sender.href });
    if (!publisher) return false;
    const offer = await app.db
      .selectFrom("offers")
      .select("id")
      .where("remote_uri", "=", note.replyTargetId.href)
      .where("remote_actor_id", "=", publisher.id)
      .executeTakeFirst();
    if (!offer) return false;
    if (new URL(picture.url).origin === app.config.publicUrl.origin) return true;
    const embedded = input.raw?.object;
    const terms =
      typeof embedded === "object" && embedded !== null && !Array.isArray(embedded)
        ? plainTerms(embedded as Record<string, unknown>)
        : {};
    const first = (v: unknown) => (Array.isArray(v) ? v[0] : v);
    const shown = first(terms.albumPublic);
    const authorName = first(terms.albumAuthorName);
    const kept = await app.transaction((tx) =>
      keepRelayedAlbumPhoto(tx, offer.id, {
        uri: note.id!.href,
        actorUrl: sender.href,
        authorName: typeof authorName === "string" ? authorName : publisher.name,
        media: mediaPath(mediaKey(picture.url, "picture")),
        alt: picture.alt,
        caption: plainText(note.content?.toString() ?? ""),
        public: shown === true || shown === "true",
      }),
    );
    if (kept) await wantMedia(app, picture.url, "picture");
    return true;
  },
});

export const albumRelayInbox = [onRelayedPhoto];
