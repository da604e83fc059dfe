// The album of an activity that has ended: adding a photo, removing one, serving them.
import { sendImage } from "../http/images.ts";
import type express from "express";
import multer from "multer";
import type { AppContext } from "../context.ts";
import { requireUser } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { HttpError } from "../http/errors.ts";
import { flash } from "../http/forms.ts";
import { IMAGE_SIZES, type ImageSize } from "../offers/images.service.ts";
import { offerPages } from "../offers/offer.page.ts";
import type { SlotFiller } from "../modules/module.ts";
import type { Offer } from "../offers/offers.repo.ts";
import * as albums from "./albums.service.ts";

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: 8 * 1024 * 1024, files: 1, fields: 6 },
}).single("image");
const albumBody = uploadRoute("/offers/:id/album", upload);

const field = (body: unknown, name: string) => {
  const value = (body as Record<string, unknown> | undefined)?.[name];
  return typeof value === "string" ? value : "";
};

/** Below an offer that has ended: its album, and the form for its participants. */
export const albumSection: SlotFiller = async (req, ctx, subject) => {
  const offer = subject.offer as Offer;
  // A remote offer's album here holds our members' photos, each also sent to its instance.
  if (subject.ended !== true || offer.status === "cancelled") return undefined;
  const all = await albums.seesAll(ctx.db, offer.id, req.user);
  const photos = await albums.listPhotos(ctx.db, offer.id, all);
  const canAdd =
    req.user !== undefined && (await albums.isParticipant(ctx.db, offer.id, req.user.id));
  if (photos.length === 0 && !canAdd) return undefined;
  const staff =
    all && req.user !== undefined && !(await albums.isParticipant(ctx.db, offer.id, req.user.id));
  const moderator =
    req.user?.role === "moderator" || req.user?.role === "admin" || req.user?.role === "staff";
  return {
    partial: "tutorials/album",
    locals: {
      offerId: offer.id,
      canAdd,
      members: all,
      photos: photos.map((p) => ({
        ...p,
        mine: p.authorId === req.user?.id,
        moderate: moderator || staff,
      })),
    },
  };
};

export function albumRoutes(router: express.Router, ctx: AppContext): void {
  const { visibleOffer } = offerPages(ctx);

  router.post("/offers/:id/album", requireUser, ...albumBody, async (req, res) => {
    const offer = await visibleOffer(req);
    const done = await albums.addPhoto(ctx.db, {
      offer,
      user: req.user!,
      data: req.file?.buffer,
      alt: field(req.body, "alt"),
      caption: field(req.body, "caption"),
      public: field(req.body, "public") === "on",
    });
    if (!done.ok)
      throw new HttpError(
        done.error === "not_participant" ? 403 : 422,
        `tutorials:album.errors.${done.error}`,
      );
    const port = ctx.ports.tutorials;
    if (offer.remote && port)
      await ctx.transaction((tx) =>
        port.albumPhoto(tx, { offerId: offer.id, photoId: done.value, userId: req.user!.id }),
      );
    else if (port)
      await ctx.transaction((tx) =>
        port.albumShared(tx, { offerId: offer.id, photoId: done.value }),
      );
    flash(req, "tutorials:album.added");
    res.redirect(303, `/offers/${offer.id}#album`);
  });

  router.post("/offers/:id/album/:photoId/remove", requireUser, async (req, res) => {
    const offer = await visibleOffer(req);
    const photoId = String(req.params.photoId);
    const done = await ctx.transaction(async (tx) => {
      const removed = await albums.removePhoto(tx, ctx.config.publicUrl, {
        offerId: offer.id,
        photoId,
        by: req.user!,
        reason: field(req.body, "reason"),
      });
      const port = ctx.ports.tutorials;
      if (!removed.ok || !port) return removed;
      const { authorId, reason, remote } = removed.value;
      // A photo our member sent to the remote offer's instance, taken back or removed by our
      // staff: it leaves the album there too.
      if (offer.remote && authorId)
        await port.albumPhotoRemoved(tx, { offerId: offer.id, photoId, userId: authorId, reason });
      // A remote participant's photo our staff removed: its author's instance is told.
      if (!offer.remote && remote) await port.albumPhotoRejected(tx, { ...remote, reason });
      // Gone from our offer's album: from its remote participants' instances too.
      if (!offer.remote) await port.albumUnshared(tx, { offerId: offer.id, photoId, reason });
      return removed;
    });
    if (!done.ok)
      throw new HttpError(
        done.error === "not_found" ? 404 : done.error === "forbidden" ? 403 : 422,
        done.error === "reason_required"
          ? "tutorials:errors.reasonRequired"
          : `errors.${done.error === "not_found" ? "notFound" : "forbidden"}`,
      );
    flash(req, "tutorials:album.removed");
    res.redirect(303, `/offers/${offer.id}#album`);
  });

  router.get("/offers/:id/album/:photoId{/:size}", async (req, res) => {
    const size = (req.params.size ?? "page") as ImageSize;
    if (!IMAGE_SIZES.includes(size)) throw new HttpError(404, "errors.notFound");
    const offer = await visibleOffer(req);
    const all = await albums.seesAll(ctx.db, offer.id, req.user);
    const photo = await albums.readPhoto(ctx.db, offer.id, String(req.params.photoId), size, all);
    if (!photo) throw new HttpError(404, "errors.notFound");
    sendImage(res, photo, "private, max-age=3600");
  });
}
