// Albums after an activity, across instances: our member who took part in a remote offer sends
// each photo they add to its album to the offer's instance, as a `Note` in reply to its `Event`
// with the photo as an `Image` attachment (`name` = alt text), the caption as content, and
// `albumPublic` (ours) saying whether its author agreed to show it to everyone. The offer's
// instance keeps it in the album when the sender took part (a confirmed registration of that
// actor) and the offer has ended, showing our copy of the picture; a Delete of the Note removes it.
import "../temporal.ts";
import { Create, Delete, Image, Note, Tombstone, type Update } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { plainText } from "../../server/offers/rich-text.ts";
import { receiveAlbumPhoto } from "../../server/tutorials/albums.remote.ts";
import { relayAlbumPhoto } from "./album-relay.ts";
import { findRemoteActor } from "../actors/remote.ts";
import type { ObjectExtras } from "../extras.ts";
import { route } from "../inbox/route.ts";
import { mediaKey, mediaPath, wantMedia } from "../media/media.ts";
import { localOfferId, MAILLAGE_NS } from "../offers/event.ts";
import { plainTerms } from "../offers/terms.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";

const ALBUM_CONTEXT = { maillage: MAILLAGE_NS, albumPublic: "maillage:albumPublic" };

const escapeHtml = (text: string) =>
  text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");

export async function sendAlbumPhoto(
  tx: Tx,
  publicUrl: URL,
  input: { offerId: string; photoId: string; userId: string },
): Promise<void> {
  const row = await tx.db
    .selectFrom("offer_album_photos as p")
    .innerJoin("offers as o", "o.id", "p.offer_id")
    .innerJoin("users as u", "u.id", "p.author_id")
    .select([
      "p.id",
      "p.caption",
      "p.alt",
      "p.public",
      "p.created_at",
      "o.remote_uri",
      "o.remote_actor_id",
      "u.email_confirmed_at",
    ])
    .where("p.id", "=", input.photoId)
    .where("p.offer_id", "=", input.offerId)
    .where("p.author_id", "=", input.userId)
    .executeTakeFirst();
  // Confirmed members have an actor that can sign (ADR 0087).
  if (!row?.remote_uri || row.remote_actor_id === null || !row.email_confirmed_at) return;
  const publisher = await findRemoteActor(tx.db, { id: row.remote_actor_id });
  if (!publisher) return;
  const to = new URL(publisher.uri);
  const actor = actorUri(publicUrl, input.userId);
  const note = new Note({
    id: albumNoteUri(publicUrl, input.offerId, row.id),
    attribution: actor,
    content: row.caption ? `<p>${escapeHtml(row.caption)}</p>` : null,
    replyTarget: new URL(row.remote_uri),
    published: Temporal.Instant.fromEpochMilliseconds(row.created_at.getTime()),
    tos: [to],
    attachments: [
      new Image({
        url: new URL(`/offers/album/${row.id}/photo`, publicUrl),
        mediaType: "image/jpeg",
        name: row.alt,
      }),
    ],
  });
  const extras: ObjectExtras = { context: ALBUM_CONTEXT, fields: { albumPublic: row.public } };
  const create = new Create({ id: newActivityId(publicUrl), actor, object: note, tos: [to] });
  await sendToActors(tx, input.userId, [to], create, extras);
}

/** The id of the Note of a photo our member sent to a remote offer's album. */
export function albumNoteUri(publicUrl: URL, offerId: string, photoId: string): URL {
  return new URL(`/offers/${offerId}/album/${photoId}/note`, publicUrl);
}

const ALBUM_NOTE = /^\/offers\/([0-9a-f-]{36})\/album\/([0-9a-f-]{36})\/note$/;

/** The offer and photo of one of our album Notes, from its id; undefined for any other. */
export function sentAlbumNote(publicUrl: URL, uri: string) {
  if (!URL.canParse(uri)) return undefined;
  const url = new URL(uri);
  const match = url.origin === publicUrl.origin ? ALBUM_NOTE.exec(url.pathname) : null;
  return match ? { offerId: match[1]!, photoId: match[2]! } : undefined;
}

/**
 * A photo sent to the remote offer's instance left our album (taken back by its author, or
 * removed by our staff with `reason`): a Delete of its Note, from its author's actor.
 */
export async function sendAlbumPhotoRemoved(
  tx: Tx,
  publicUrl: URL,
  input: { offerId: string; photoId: string; userId: string; reason?: string | null },
): Promise<void> {
  const offer = await tx.db
    .selectFrom("offers")
    .select(["remote_actor_id"])
    .where("id", "=", input.offerId)
    .executeTakeFirst();
  if (!offer || offer.remote_actor_id === null) return;
  const publisher = await findRemoteActor(tx.db, { id: offer.remote_actor_id });
  if (!publisher) return;
  const to = new URL(publisher.uri);
  const actor = actorUri(publicUrl, input.userId);
  const id = albumNoteUri(publicUrl, input.offerId, input.photoId);
  await sendToActors(
    tx,
    input.userId,
    [to],
    new Delete({
      id: newActivityId(publicUrl),
      actor,
      object: new Tombstone({ id }),
      ...(input.reason ? { summary: input.reason } : {}),
      tos: [to],
    }),
  );
}

/**
 * Our staff removed a remote participant's photo from one of our offers' albums: the offer's
 * publisher (the CMCAS) sends a Delete of its Note, with the reason, to its author, whose instance
 * takes it out of its album too.
 */
export async function sendAlbumPhotoRejected(
  tx: Tx,
  publicUrl: URL,
  input: { uri: string; actorUrl: string; reason: string | null },
): Promise<void> {
  if (!URL.canParse(input.uri) || !URL.canParse(input.actorUrl)) return;
  const to = new URL(input.actorUrl);
  await sendToActors(
    tx,
    CMCAS_ACTOR,
    [to],
    new Delete({
      id: newActivityId(publicUrl),
      actor: actorUri(publicUrl, CMCAS_ACTOR),
      object: new Tombstone({ id: new URL(input.uri) }),
      ...(input.reason ? { summary: input.reason } : {}),
      tos: [to],
    }),
  );
}

/** On the offer's instance: a participant's photo for the album of one of our offers. */
const onAlbumPhoto = route<Create | Update>({
  name: "tutorials.album-photo",
  activity: ["Create", "Update"],
  object: "Note",
  async handle(input) {
    const { app } = input.deps;
    const note = await input.object();
    if (!(note instanceof Note) || !note.id) return false;
    const offerId = localOfferId(app.config.publicUrl, note.replyTargetId);
    if (!offerId) return false;
    let picture: { url: string; alt: string } | undefined;
    for await (const item of note.getAttachments({ suppressError: true }))
      if (!picture && item instanceof Image && item.url instanceof URL)
        picture = { url: item.url.href, alt: item.name?.toString() ?? "" };
    if (!picture) return false;
    // Written by the actor who sends it, on its own server.
    const sender = input.senderUri;
    if (note.attributionId?.href !== sender.href || note.id.origin !== sender.origin) return false;
    const author = await input.sender();
    if (!author) throw new Error(`cannot fetch the actor ${sender.href}`);
    const embedded = input.raw?.object;
    const terms =
      typeof embedded === "object" && embedded !== null && !Array.isArray(embedded)
        ? plainTerms(embedded as Record<string, unknown>)
        : {};
    const shown = Array.isArray(terms.albumPublic) ? terms.albumPublic[0] : terms.albumPublic;
    if (!/^https?:$/.test(new URL(picture.url).protocol)) return false;
    const outcome = await app.transaction(async (tx) => {
      const kept = await receiveAlbumPhoto(tx, offerId, {
        uri: note.id!.href,
        actorUrl: author.uri,
        authorName: author.name || author.handle,
        media: mediaPath(mediaKey(picture.url, "picture")),
        alt: picture.alt,
        caption: plainText(note.content?.toString() ?? ""),
        public: shown === true || shown === "true",
      });
      // Kept: the offer's other remote participants' instances get it too (ADR 0127).
      if (kept === "added" || kept === "updated") {
        const photo = await tx.db
          .selectFrom("offer_album_photos")
          .select("id")
          .where("remote_uri", "=", note.id!.href)
          .executeTakeFirst();
        if (photo)
          await relayAlbumPhoto(tx, app.config.publicUrl, {
            offerId,
            photoId: photo.id,
            pictureUrl: picture.url,
          });
      }
      return kept;
    });
    input.log.info({ offer: offerId, outcome }, "album photo from another instance");
    if (outcome !== "added" && outcome !== "updated") return outcome !== "unknown";
    // Copied only once kept: a refused Note makes us fetch nothing.
    await wantMedia(app, picture.url, "picture");
    return true;
  },
});

export const albumsInbox = [onAlbumPhoto];
