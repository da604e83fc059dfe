// A member's avatar and short bio (issue 17, ADR 0102). The picture goes through the same
// treatment as offer images (ADR 0086): recognised by its bytes, decoded with a pixel limit,
// turned upright and re-encoded without its metadata, kept only as two square sizes. Avatars sit
// beside names that are already shown (forum posts), so whoever sees the name may see the face.
import type express from "express";
import type { Generated } from "kysely";
import multer from "multer";
import sharp from "sharp";
import type { AppContext } from "../context.ts";
import type { Db } from "../db/database.ts";
import { requireUser } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { flash } from "../http/forms.ts";
import { handlers } from "../http/handlers.ts";
import { HttpError } from "../http/errors.ts";
import { sniffImageType, sendImage } from "../http/images.ts";
import { fail, ok, type Result } from "../lib/result.ts";

export const AVATAR_SIZES = { small: 96, large: 256 } as const;
export type AvatarSize = keyof typeof AVATAR_SIZES;
export const BIO_MAX = 300;
const MAX_BYTES = 5 * 1024 * 1024;
const MAX_PIXELS = 40_000_000;
const ACCEPTED = new Set(["image/png", "image/jpeg", "image/webp"]);

export interface AvatarTables {
  member_bios: { user_id: string; bio: string; updated_at: Date };
  member_avatars: {
    user_id: string;
    size: AvatarSize;
    content_type: string;
    width: number;
    height: number;
    data: Buffer;
    created_at: Generated<Date>;
  };
}

declare module "../db/schema.ts" {
  interface Database extends AvatarTables {}
}

interface AvatarVariant {
  size: AvatarSize;
  width: number;
  height: number;
  data: Buffer;
}

/** The upload as kept: square crops, WebP, no metadata; refused unless PNG, JPEG or WebP. */
export async function prepareAvatar(
  data: Buffer,
): Promise<Result<AvatarVariant[], "type" | "unreadable">> {
  const type = sniffImageType(data);
  if (!type || !ACCEPTED.has(type)) return fail("type");
  try {
    const variants = await Promise.all(
      (Object.keys(AVATAR_SIZES) as AvatarSize[]).map(async (size) => {
        const side = AVATAR_SIZES[size];
        const { data: out, info } = await sharp(data, {
          limitInputPixels: MAX_PIXELS,
          failOn: "error",
        })
          .rotate()
          .resize(side, side, { fit: "cover", position: "attention" })
          .webp({ quality: 80 })
          .toBuffer({ resolveWithObject: true });
        return { size, width: info.width, height: info.height, data: out };
      }),
    );
    return ok(variants);
  } catch {
    return fail("unreadable");
  }
}

export async function saveAvatar(db: Db, userId: string, variants: AvatarVariant[]) {
  await db.deleteFrom("member_avatars").where("user_id", "=", userId).execute();
  await db
    .insertInto("member_avatars")
    .values(variants.map((v) => ({ user_id: userId, content_type: "image/webp", ...v })))
    .execute();
}

export async function removeAvatar(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("member_avatars").where("user_id", "=", userId).execute();
}

/** Which of these members have an avatar (to choose between the picture and the initial). */
export async function avatarsOf(db: Db, userIds: (string | null)[]): Promise<Set<string>> {
  const ids = [...new Set(userIds.filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Set();
  const rows = await db
    .selectFrom("member_avatars")
    .select("user_id")
    .where("user_id", "in", ids)
    .where("size", "=", "small")
    .execute();
  return new Set(rows.map((r) => r.user_id));
}

export async function readBio(db: Db, userId: string): Promise<string> {
  const row = await db
    .selectFrom("member_bios")
    .select("bio")
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row?.bio ?? "";
}

export async function saveBio(db: Db, userId: string, bio: string): Promise<void> {
  if (bio === "") {
    await db.deleteFrom("member_bios").where("user_id", "=", userId).execute();
    return;
  }
  await db
    .insertInto("member_bios")
    .values({ user_id: userId, bio, updated_at: new Date() })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ bio, updated_at: new Date() }))
    .execute();
}

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_BYTES, files: 1 },
});

export function avatarRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  router.post(
    "/me/avatar",
    requireUser,
    ...uploadRoute("/me/avatar", upload.single("avatar")),
    on(async (_ctx, req, res) => {
      if (!req.file) throw new HttpError(400, "members:avatar.errors.missing");
      const prepared = await prepareAvatar(req.file.buffer);
      if (!prepared.ok) throw new HttpError(415, `members:avatar.errors.${prepared.error}`);
      await ctx.transaction((tx) => saveAvatar(tx.db, req.user!.id, prepared.value));
      flash(req, "members:avatar.saved");
      res.redirect(303, "/me#avatar");
    }),
  );
  router.post(
    "/me/avatar/delete",
    requireUser,
    on(async (_ctx, req, res) => {
      await removeAvatar(ctx.db, req.user!.id);
      flash(req, "members:avatar.removed");
      res.redirect(303, "/me#avatar");
    }),
  );
  router.post(
    "/me/bio",
    requireUser,
    on(async (_ctx, req, res) => {
      const raw = (req.body as { bio?: unknown }).bio;
      // Plain text: kept as typed (escaped when shown), line breaks folded.
      const bio = typeof raw === "string" ? raw.replace(/\s+/g, " ").trim() : "";
      if ([...bio].length > BIO_MAX) throw new HttpError(422, "members:avatar.errors.bioTooLong");
      await saveBio(ctx.db, req.user!.id, bio);
      flash(req, "members:avatar.bioSaved");
      res.redirect(303, "/me#avatar");
    }),
  );
  router.get(
    "/members/:id/avatar{/:size}",
    on(async (_ctx, req, res) => {
      const size = (req.params.size ?? "large") as AvatarSize;
      if (!(size in AVATAR_SIZES) || !/^[0-9a-f-]{36}$/.test(String(req.params.id)))
        throw new HttpError(404, "errors.notFound");
      const row = await ctx.db
        .selectFrom("member_avatars")
        .select(["content_type", "data"])
        .where("user_id", "=", String(req.params.id))
        .where("size", "=", size)
        .executeTakeFirst();
      if (!row) throw new HttpError(404, "errors.notFound");
      sendImage(
        res,
        { contentType: row.content_type, data: Buffer.from(row.data) },
        "private, max-age=300",
      );
    }),
  );
}
