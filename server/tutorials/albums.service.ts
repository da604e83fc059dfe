// Albums after an activity: the gallery of the tutorials' "Je l'ai fait !" posts, for an offer
// that has ended. Its participants add photos (the offers' image pipeline, alt text required);
// participants and staff see them all, everyone else only those their author agreed to show.
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { STAFF_ROLES } from "../http/auth.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import { prepareImage, type ImageSize } from "../offers/images.service.ts";
import { isUuid } from "./tutorials.repo.ts";

export const MAX_ALBUM_PHOTOS_PER_MEMBER = 20;

/** A participant: a confirmed registration not marked absent by staff. */
export async function isParticipant(db: Db, offerId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom("offer_registrations")
    .select("id")
    .where("offer_id", "=", offerId)
    .where("user_id", "=", userId)
    .where("status", "=", "confirmed")
    .where((eb) => eb.or([eb("attended", "is", null), eb("attended", "=", true)]))
    .executeTakeFirst();
  return row !== undefined;
}

/** Sees every photo of the album: staff, and the activity's participants. */
export async function seesAll(db: Db, offerId: string, user: User | undefined) {
  if (!user) return false;
  return STAFF_ROLES.includes(user.role) || isParticipant(db, offerId, user.id);
}

export type AlbumError =
  "not_ended" | "not_participant" | "alt" | "type" | "unreadable" | "too_many";

export async function addPhoto(
  db: Db,
  input: {
    offer: { id: string; endsAt: Date; status: string };
    user: User;
    data: Buffer | undefined;
    alt: string;
    caption: string;
    public: boolean;
  },
  now = new Date(),
): Promise<Result<string, AlbumError>> {
  const { offer, user } = input;
  if (offer.status === "cancelled" || offer.status === "draft" || now < offer.endsAt)
    return fail("not_ended");
  if (!(await isParticipant(db, offer.id, user.id))) return fail("not_participant");
  const alt = input.alt.trim().slice(0, 300);
  if (!alt) return fail("alt");
  if (!input.data) return fail("type");
  const count = await db
    .selectFrom("offer_album_photos")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("offer_id", "=", offer.id)
    .where("author_id", "=", user.id)
    .executeTakeFirstOrThrow();
  if (Number(count.n) >= MAX_ALBUM_PHOTOS_PER_MEMBER) return fail("too_many");
  const prepared = await prepareImage(input.data);
  if (!prepared.ok) return fail(prepared.error);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("offer_album_photos")
      .values({
        offer_id: offer.id,
        author_id: user.id,
        caption: input.caption.trim().slice(0, 500),
        alt,
        public: input.public,
        content_type: prepared.value.original.contentType,
        data: prepared.value.original.data,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    await trx
      .insertInto("offer_album_variants")
      .values(
        prepared.value.variants.map((v) => ({
          photo_id: row.id,
          size: v.size,
          content_type: v.contentType,
          width: v.width,
          height: v.height,
          data: v.data,
        })),
      )
      .execute();
    return ok(row.id);
  });
}

export async function listPhotos(db: Db, offerId: string, all: boolean) {
  let query = db
    .selectFrom("offer_album_photos as p")
    .leftJoin("users as u", "u.id", "p.author_id")
    .select([
      "p.id",
      "p.author_id",
      "u.display_name",
      "p.caption",
      "p.alt",
      "p.public",
      "p.created_at",
      "p.remote_author_name",
      "p.remote_media",
    ])
    .where("p.offer_id", "=", offerId)
    .where("p.removed_at", "is", null);
  if (!all) query = query.where("p.public", "=", true);
  const rows = await query.orderBy("p.created_at").limit(300).execute();
  return rows.map((r) => ({
    id: r.id,
    authorId: r.author_id,
    author: r.display_name ?? r.remote_author_name,
    // A remote participant's photo: our copy of its picture (albums.remote.ts).
    src: r.remote_media && /^\/media\/[0-9a-f]{64}$/.test(r.remote_media) ? r.remote_media : null,
    caption: r.caption,
    alt: r.alt,
    public: r.public,
  }));
}

export async function readPhoto(
  db: Db,
  offerId: string,
  photoId: string,
  size: ImageSize,
  all: boolean,
): Promise<{ contentType: string; data: Buffer } | undefined> {
  if (!isUuid(photoId)) return undefined;
  let query = db
    .selectFrom("offer_album_variants as v")
    .innerJoin("offer_album_photos as p", "p.id", "v.photo_id")
    .select(["v.content_type", "v.data"])
    .where("p.id", "=", photoId)
    .where("p.offer_id", "=", offerId)
    .where("p.removed_at", "is", null)
    .where("v.size", "=", size);
  if (!all) query = query.where("p.public", "=", true);
  const row = await query.executeTakeFirst();
  return row ? { contentType: row.content_type, data: Buffer.from(row.data) } : undefined;
}

/** Removed by its author, or by staff with a reason told to its author. */
export async function removePhoto(
  tx: Tx,
  publicUrl: URL,
  input: { offerId: string; photoId: string; by: User; reason: string },
): Promise<Result<RemovedPhoto, "not_found" | "forbidden" | "reason_required">> {
  if (!isUuid(input.photoId)) return fail("not_found");
  const photo = await tx.db
    .selectFrom("offer_album_photos")
    .select(["author_id", "remote_uri", "remote_actor_url"])
    .where("id", "=", input.photoId)
    .where("offer_id", "=", input.offerId)
    .where("removed_at", "is", null)
    .executeTakeFirst();
  if (!photo) return fail("not_found");
  const own = photo.author_id === input.by.id;
  const staff = STAFF_ROLES.includes(input.by.role) || input.by.role === "moderator";
  if (!own && !staff) return fail("forbidden");
  const reason = input.reason.trim().slice(0, 1000);
  if (!own && reason.length < 3) return fail("reason_required");
  await tx.db
    .updateTable("offer_album_photos")
    .set({ removed_at: new Date(), removal_reason: reason || "—" })
    .where("id", "=", input.photoId)
    .execute();
  if (!own && photo.author_id)
    await notify(tx, publicUrl, {
      userId: photo.author_id,
      kind: "tutorials:albumPhotoRemoved",
      data: { reason },
      link: `/offers/${input.offerId}#album`,
    });
  return ok({
    own,
    authorId: photo.author_id,
    reason: reason || null,
    remote:
      photo.remote_uri && photo.remote_actor_url
        ? { uri: photo.remote_uri, actorUrl: photo.remote_actor_url }
        : null,
  });
}

export interface RemovedPhoto {
  /** Removed by its author. */
  own: boolean;
  /** Our member who added it (null: a remote participant's). */
  authorId: string | null;
  /** Staff's reason (null when its author took it back). */
  reason: string | null;
  /** A remote participant's photo: its Note and its author's actor. */
  remote: { uri: string; actorUrl: string } | null;
}

/**
 * The staff of a remote offer's instance removed from its album a photo our member sent there:
 * it leaves our album too, and its author is told why. Whether it was one.
 */
export async function removeSentAlbumPhoto(
  tx: Tx,
  publicUrl: URL,
  input: { offerId: string; photoId: string; publisherActorId: number; reason: string | null },
): Promise<boolean> {
  if (!isUuid(input.offerId) || !isUuid(input.photoId)) return false;
  const reason = (input.reason ?? "").trim().slice(0, 1000);
  const row = await tx.db
    .updateTable("offer_album_photos as p")
    .set({ removed_at: new Date(), removal_reason: reason || "—" })
    .from("offers as o")
    .whereRef("o.id", "=", "p.offer_id")
    .where("o.remote_actor_id", "=", input.publisherActorId)
    .where("p.id", "=", input.photoId)
    .where("p.offer_id", "=", input.offerId)
    .where("p.author_id", "is not", null)
    .where("p.removed_at", "is", null)
    .returning("p.author_id")
    .executeTakeFirst();
  if (!row?.author_id) return false;
  await notify(tx, publicUrl, {
    userId: row.author_id,
    kind: "tutorials:albumPhotoRemoved",
    data: { reason: reason || "—" },
    link: `/offers/${input.offerId}#album`,
  });
  return true;
}

/**
 * A photo our member added to the album of a remote offer: sent to the offer's instance, which
 * copies it from here without a session (as a made-it post's photo, ADR 0116); or one of our
 * offers' album, copied so by its remote participants' instances (ADR 0127).
 */
export async function readSentAlbumPhoto(
  db: Db,
  photoId: string,
): Promise<{ contentType: string; data: Buffer } | undefined> {
  if (!isUuid(photoId)) return undefined;
  const row = await db
    .selectFrom("offer_album_variants as v")
    .innerJoin("offer_album_photos as p", "p.id", "v.photo_id")
    .innerJoin("offers as o", "o.id", "p.offer_id")
    .select(["v.content_type", "v.data"])
    .where("p.id", "=", photoId)
    .where("p.removed_at", "is", null)
    .where("v.size", "=", "federation")
    .executeTakeFirst();
  return row ? { contentType: row.content_type, data: Buffer.from(row.data) } : undefined;
}
