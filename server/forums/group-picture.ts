// A group's picture (ADR 0102): set and removed by the group's moderators from its settings
// page, treated as members' avatars are (re-encoded square sizes, no metadata), and shown only to
// whoever may read the group.
import { sendImage } from "../http/images.ts";
import type express from "express";
import type { Generated } from "kysely";
import multer from "multer";
import type { AppContext } from "../context.ts";
import type { Db } from "../db/database.ts";
import { requireUser } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { flash } from "../http/forms.ts";
import { handlers } from "../http/handlers.ts";
import { HttpError } from "../http/errors.ts";
import { AVATAR_SIZES, prepareAvatar, type AvatarSize } from "../members/avatar.ts";
import { moderatedGroup, readableGroup } from "./forums.web.ts";

export interface GroupPictureTables {
  group_pictures: {
    group_id: string;
    size: AvatarSize;
    content_type: string;
    width: number;
    height: number;
    data: Buffer;
    created_at: Generated<Date>;
  };
}

declare module "../db/schema.ts" {
  interface Database extends GroupPictureTables {}
}

/** Which of these groups have a picture. */
export async function picturesOf(db: Db, groupIds: string[]): Promise<Set<string>> {
  if (groupIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("group_pictures")
    .select("group_id")
    .where("group_id", "in", groupIds)
    .where("size", "=", "small")
    .execute();
  return new Set(rows.map((r) => r.group_id));
}

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: 5 * 1024 * 1024, files: 1 },
});

export function groupPictureRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  const slugOf = (req: express.Request) => ({ slug: String(req.params.slug) });
  router.post(
    "/groups/:slug/picture",
    requireUser,
    ...uploadRoute("/groups/:slug/picture", upload.single("picture")),
    on(async (_ctx, req, res) => {
      const { group } = await moderatedGroup(ctx.db, req.user, slugOf(req));
      if (!req.file) throw new HttpError(400, "members:avatar.errors.missing");
      const prepared = await prepareAvatar(req.file.buffer);
      if (!prepared.ok) throw new HttpError(415, `members:avatar.errors.${prepared.error}`);
      await ctx.transaction(async (tx) => {
        await tx.db.deleteFrom("group_pictures").where("group_id", "=", group.id).execute();
        await tx.db
          .insertInto("group_pictures")
          .values(
            prepared.value.map((v) => ({ group_id: group.id, content_type: "image/webp", ...v })),
          )
          .execute();
      });
      flash(req, "forums:picture.saved");
      res.redirect(303, `/groups/${group.slug}/edit#picture`);
    }),
  );
  router.post(
    "/groups/:slug/picture/delete",
    requireUser,
    on(async (_ctx, req, res) => {
      const { group } = await moderatedGroup(ctx.db, req.user, slugOf(req));
      await ctx.db.deleteFrom("group_pictures").where("group_id", "=", group.id).execute();
      flash(req, "forums:picture.removed");
      res.redirect(303, `/groups/${group.slug}/edit#picture`);
    }),
  );
  router.get(
    "/groups/:slug/picture{/:size}",
    on(async (_ctx, req, res) => {
      const size = (req.params.size ?? "large") as AvatarSize;
      if (!(size in AVATAR_SIZES)) throw new HttpError(404, "errors.notFound");
      const { group, access } = await readableGroup(ctx.db, req.user, slugOf(req));
      if (!access.canRead) throw new HttpError(404, "errors.notFound");
      const row = await ctx.db
        .selectFrom("group_pictures")
        .select(["content_type", "data"])
        .where("group_id", "=", group.id)
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
