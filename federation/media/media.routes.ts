// Our copies of remote pictures, at /media/<key>. The key is a hash of the remote URL (never
// guessed from it), the file is one we encoded ourselves, so it is served as is, for long: a new
// picture at another URL gets another key. Nothing is fetched here: a copy not (yet) made is a
// 404, and the page shows the picture's alt text instead.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { HttpError } from "../../server/http/errors.ts";
import { mediaFile } from "./media.fetch.ts";
import { findMedia, isMediaKey } from "./media.ts";

export function mediaRoutes(router: express.Router, ctx: AppContext): void {
  router.get("/media/:key", async (req, res) => {
    const key = String(req.params.key);
    const media = isMediaKey(key) ? await findMedia(ctx.db, key) : undefined;
    if (media?.state !== "ready") throw new HttpError(404, "errors.notFound");
    res.set({
      "Content-Type": "image/webp",
      "Cache-Control": "public, max-age=604800, immutable",
      "X-Content-Type-Options": "nosniff",
    });
    res.sendFile(mediaFile(ctx.config.dataDir, key), (error) => {
      if (error && !res.headersSent) res.status(404).end();
    });
  });
}
