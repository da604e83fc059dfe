// Albums across instances: a member of another instance who took part in one of our offers (a
// confirmed registration of their actor, not marked absent) adds a photo from their instance; it
// arrives as a Note in reply to the offer's Event, handed here by federation with our copy of its
// picture. Its author removes it by deleting the Note; staff remove it here as any other photo.
import type { Tx } from "../db/transaction.ts";
import { MAX_ALBUM_PHOTOS_PER_MEMBER } from "./albums.service.ts";

export interface RemoteAlbumPhoto {
  /** The Note's id. */
  uri: string;
  actorUrl: string;
  authorName: string;
  /** Our copy of the picture (`/media/<key>`). */
  media: string;
  alt: string;
  caption: string;
  /** Its author agreed to show it to everyone. */
  public: boolean;
}

export type RemoteAlbumOutcome =
  "added" | "updated" | "unknown" | "not_ended" | "not_participant" | "alt" | "too_many";

const COPY = /^\/media\/[0-9a-f]{64}$/;

export async function receiveAlbumPhoto(
  tx: Tx,
  offerId: string,
  input: RemoteAlbumPhoto,
  now = new Date(),
): Promise<RemoteAlbumOutcome> {
  const offer = await tx.db
    .selectFrom("offers")
    .select(["id", "status", "ends_at"])
    .where("id", "=", offerId)
    .where("remote_uri", "is", null)
    .executeTakeFirst();
  if (!offer || !COPY.test(input.media)) return "unknown";
  if (offer.status === "cancelled" || offer.status === "draft" || now < offer.ends_at)
    return "not_ended";
  const participant = await tx.db
    .selectFrom("offer_registrations")
    .select("id")
    .where("offer_id", "=", offerId)
    .where("actor_url", "=", input.actorUrl)
    .where("status", "=", "confirmed")
    .where((eb) => eb.or([eb("attended", "is", null), eb("attended", "=", true)]))
    .executeTakeFirst();
  if (!participant) return "not_participant";
  const alt = input.alt.trim().slice(0, 300);
  if (!alt) return "alt";
  const values = {
    caption: input.caption.trim().slice(0, 500),
    alt,
    public: input.public,
    remote_media: input.media,
    remote_author_name: input.authorName.slice(0, 200),
  };
  // An Update of the Note changes its words, never whose photo it is.
  const updated = await tx.db
    .updateTable("offer_album_photos")
    .set(values)
    .where("remote_uri", "=", input.uri)
    .where("remote_actor_url", "=", input.actorUrl)
    .where("offer_id", "=", offerId)
    .where("removed_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  if (updated) return "updated";
  const count = await tx.db
    .selectFrom("offer_album_photos")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("offer_id", "=", offerId)
    .where("remote_actor_url", "=", input.actorUrl)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_ALBUM_PHOTOS_PER_MEMBER) return "too_many";
  const row = await tx.db
    .insertInto("offer_album_photos")
    .values({
      ...values,
      offer_id: offerId,
      author_id: null,
      remote_uri: input.uri,
      remote_actor_url: input.actorUrl,
    })
    .onConflict((oc) => oc.column("remote_uri").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row ? "added" : "unknown";
}

/**
 * Its author deleted the Note (or their instance's staff removed the photo, with a reason): the
 * photo leaves the album. Whether it was one.
 */
export async function deleteRemoteAlbumPhoto(
  tx: Tx,
  uri: string,
  actorUrl: string,
  reason: string | null = null,
): Promise<{ photoId: string; offerId: string; offerIsOurs: boolean } | undefined> {
  const row = await tx.db
    .updateTable("offer_album_photos")
    .set({ removed_at: new Date(), removal_reason: reason?.trim().slice(0, 1000) || "—" })
    .where("remote_uri", "=", uri)
    .where("remote_actor_url", "=", actorUrl)
    .where("removed_at", "is", null)
    .returning(["id", "offer_id"])
    .executeTakeFirst();
  if (!row) return undefined;
  const offer = await tx.db
    .selectFrom("offers")
    .select("remote_uri")
    .where("id", "=", row.offer_id)
    .executeTakeFirstOrThrow();
  return { photoId: row.id, offerId: row.offer_id, offerIsOurs: offer.remote_uri === null };
}

/**
 * On a participant's instance: a photo of a remote offer's album that its instance shares (ADR
 * 0127), kept beside our members' own (no bytes: our copy of its picture). Whether it is kept.
 */
export async function keepRelayedAlbumPhoto(
  tx: Tx,
  offerId: string,
  input: RemoteAlbumPhoto,
): Promise<boolean> {
  const alt = input.alt.trim().slice(0, 300);
  if (!alt || !COPY.test(input.media)) return false;
  const values = {
    caption: input.caption.trim().slice(0, 500),
    alt,
    public: input.public,
    remote_media: input.media,
    remote_author_name: input.authorName.slice(0, 200),
  };
  const updated = await tx.db
    .updateTable("offer_album_photos")
    .set(values)
    .where("remote_uri", "=", input.uri)
    .where("remote_actor_url", "=", input.actorUrl)
    .where("offer_id", "=", offerId)
    .where("removed_at", "is", null)
    .returning("id")
    .executeTakeFirst();
  if (updated) return true;
  const row = await tx.db
    .insertInto("offer_album_photos")
    .values({
      ...values,
      offer_id: offerId,
      author_id: null,
      remote_uri: input.uri,
      remote_actor_url: input.actorUrl,
    })
    .onConflict((oc) => oc.column("remote_uri").doNothing())
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}
