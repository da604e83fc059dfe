// Offer images (ADR 0086). An upload is recognised by its bytes, decoded, turned upright and
// re-encoded without its metadata (a phone photo carries its GPS position, its owner's camera),
// then kept in three sizes: cards, the offer's page and other instances. Only these are ever
// served; who may see them is who may see the offer.
import { sql } from "kysely";
import sharp from "sharp";
import type { User } from "../accounts/accounts.repo.ts";
import type { Db } from "../db/database.ts";
import { STAFF_ROLES } from "../http/auth.ts";
import { sniffImageType } from "../http/images.ts";
import { fail, ok, type Result } from "../lib/result.ts";

export const IMAGE_SIZES = ["card", "page", "federation"] as const;
export type ImageSize = (typeof IMAGE_SIZES)[number];

const ACCEPTED = new Set(["image/png", "image/jpeg", "image/webp"]);
/** A decompression bomb stops here (a 12-megapixel photo is far below). */
const MAX_PIXELS = 40_000_000;
/** The kept original's longest side. */
const ORIGINAL_SIDE = 2560;

interface Variant {
  size: ImageSize;
  contentType: string;
  width: number;
  height: number;
  data: Buffer;
}

const decode = (data: Buffer) =>
  sharp(data, { limitInputPixels: MAX_PIXELS, failOn: "error" }).rotate();

/** Cards crop to 3:2; pages and other instances get the whole image, WebP for our pages and
 * JPEG for other software, which all read it. */
async function render(data: Buffer, size: ImageSize): Promise<Variant> {
  const image =
    size === "card"
      ? decode(data).resize(480, 320, { fit: "cover", position: "attention" }).webp({ quality: 78 })
      : size === "page"
        ? decode(data)
            .resize(1280, 1280, { fit: "inside", withoutEnlargement: true })
            .webp({ quality: 82 })
        : decode(data)
            .resize(1200, 1200, { fit: "inside", withoutEnlargement: true })
            .flatten({ background: "#ffffff" })
            .jpeg({ quality: 82, mozjpeg: true });
  const { data: out, info } = await image.toBuffer({ resolveWithObject: true });
  const contentType = size === "federation" ? "image/jpeg" : "image/webp";
  return { size, contentType, width: info.width, height: info.height, data: out };
}

export interface PreparedImage {
  /** The original, upright and without metadata, at most 2560 px a side. */
  original: { data: Buffer; contentType: string };
  variants: Variant[];
}

export type ImageError = "type" | "unreadable";

/** An uploaded file as we keep it; refused when its bytes are not a PNG, JPEG or WebP image we
 * can decode (whatever name and type the browser gave). */
export async function prepareImage(data: Buffer): Promise<Result<PreparedImage, ImageError>> {
  const type = sniffImageType(data);
  if (!type || !ACCEPTED.has(type)) return fail("type");
  try {
    const format = type === "image/png" ? "png" : type === "image/webp" ? "webp" : "jpeg";
    const original = await decode(data)
      .resize(ORIGINAL_SIDE, ORIGINAL_SIDE, { fit: "inside", withoutEnlargement: true })
      .toFormat(format)
      .toBuffer();
    const variants = await Promise.all(IMAGE_SIZES.map((size) => render(original, size)));
    return ok({ original: { data: original, contentType: type }, variants });
  } catch {
    return fail("unreadable");
  }
}

async function saveVariants(db: Db, imageId: string, variants: Variant[]): Promise<void> {
  await db
    .insertInto("offer_image_variants")
    .values(
      variants.map((v) => ({
        image_id: imageId,
        size: v.size,
        content_type: v.contentType,
        width: v.width,
        height: v.height,
        data: v.data,
      })),
    )
    .onConflict((oc) => oc.columns(["image_id", "size"]).doNothing())
    .execute();
}

export async function addImage(
  db: Db,
  offerId: string,
  image: PreparedImage,
  alt: string,
): Promise<string> {
  const row = await db
    .insertInto("offer_images")
    .values({
      offer_id: offerId,
      data: image.original.data,
      content_type: image.original.contentType,
      alt,
      processed: true,
      position: sql<number>`(select coalesce(max(position), 0) + 1 from offer_images where offer_id = ${offerId})`,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await saveVariants(db, row.id, image.variants);
  return row.id;
}

/** Who may see an offer's images: as its page, drafts for staff, offers that are not public for
 * signed-in members. */
export interface ImageAccess {
  visible: boolean;
  /** Public and published: shared caches may keep it. */
  cacheable: boolean;
}

export function imageAccess(
  offer: { status: string; visibility: string },
  user: User | undefined,
): ImageAccess {
  const staff = user !== undefined && STAFF_ROLES.includes(user.role);
  if (offer.status === "draft") return { visible: staff, cacheable: false };
  if (offer.visibility !== "public") return { visible: user !== undefined, cacheable: false };
  return { visible: true, cacheable: true };
}

/** A variant of an image of `offerId`; an image stored before variants existed gets them now
 * (and its original loses its metadata). */
export async function readVariant(
  db: Db,
  offerId: string,
  imageId: string,
  size: ImageSize,
): Promise<{ contentType: string; data: Buffer } | undefined> {
  const image = await db
    .selectFrom("offer_images")
    .select(["id", "processed"])
    .where("offer_id", "=", offerId)
    .where("id", "=", imageId)
    .executeTakeFirst();
  if (!image) return undefined;
  const find = () =>
    db
      .selectFrom("offer_image_variants")
      .select(["content_type", "data"])
      .where("image_id", "=", imageId)
      .where("size", "=", size)
      .executeTakeFirst();
  let variant = await find();
  if (!variant && !image.processed) {
    const source = await db
      .selectFrom("offer_images")
      .select("data")
      .where("id", "=", imageId)
      .executeTakeFirstOrThrow();
    const prepared = await prepareImage(Buffer.from(source.data));
    if (!prepared.ok) return undefined;
    await db
      .updateTable("offer_images")
      .set({
        data: prepared.value.original.data,
        content_type: prepared.value.original.contentType,
        processed: true,
      })
      .where("id", "=", imageId)
      .execute();
    await saveVariants(db, imageId, prepared.value.variants);
    variant = await find();
  }
  return variant
    ? { contentType: variant.content_type, data: Buffer.from(variant.data) }
    : undefined;
}
