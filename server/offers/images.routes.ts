// Offer images, served only as their sized variants (never the upload as it came) and only to
// whoever may see the offer's page: drafts to staff, offers that are not public to signed-in
// members; shared caches keep only images of public, published offers (ADR 0086).
import { sendImage } from "../http/images.ts";
import type express from "express";
import type { AppContext } from "../context.ts";
import { HttpError } from "../http/errors.ts";
import { IMAGE_SIZES, imageAccess, readVariant, type ImageSize } from "./images.service.ts";
import { findOffer } from "./offers.repo.ts";

export function imageRoutes(router: express.Router, ctx: AppContext): void {
  router.get("/offers/:id/images/:imageId{/:size}", async (req, res) => {
    const size = (req.params.size ?? "page") as ImageSize;
    if (!IMAGE_SIZES.includes(size)) throw new HttpError(404, "errors.notFound");
    const offer = await findOffer(ctx.db, String(req.params.id));
    const access = offer ? imageAccess(offer, req.user) : undefined;
    // Hidden images answer as missing ones: their existence says nothing.
    if (!offer || !access?.visible) throw new HttpError(404, "errors.notFound");
    const image = await readVariant(ctx.db, offer.id, String(req.params.imageId), size);
    if (!image) throw new HttpError(404, "errors.notFound");
    sendImage(
      res,
      image,
      access.cacheable ? "public, max-age=86400, immutable" : "private, max-age=3600",
    );
  });
}
