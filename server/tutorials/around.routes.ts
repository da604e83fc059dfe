// Forms under a tutorial: favourite, "useful" vote, comments (the forums' services), "Je l'ai
// fait !" posts with their photo, and the activity where the tutorial is taught.
import type express from "express";
import multer from "multer";
import type { AppContext } from "../context.ts";
import { requireUser, STAFF_ROLES } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { HttpError } from "../http/errors.ts";
import { flash } from "../http/forms.ts";
import { forumDeps } from "../forums/groups.service.ts";
import { findOffer } from "../offers/offers.repo.ts";
import * as around from "./around.service.ts";
import { comment } from "./comments.service.ts";
import * as repo from "./tutorials.repo.ts";
import { readableTutorial } from "./tutorials.routes.ts";

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: 8 * 1024 * 1024, files: 1, fields: 5 },
}).single("image");
const madeBody = uploadRoute("/tutorials/:id/made", upload);

const on = (body: unknown) => (body as { on?: string }).on !== "0";
const text = (body: unknown, name: string, max: number) => {
  const value = (body as Record<string, unknown>)[name];
  return typeof value === "string" ? value.slice(0, max) : "";
};

/** An offer given as its id or its address (…/offers/<id>). */
export function offerIdFrom(value: string): string | undefined {
  const id = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/?$/i.exec(
    value.trim(),
  );
  return id?.[1]?.toLowerCase();
}

export function aroundRoutes(router: express.Router, ctx: AppContext): void {
  const deps = forumDeps(ctx);

  router.post("/tutorials/:id/favourite", requireUser, async (req, res) => {
    const tutorial = await readableTutorial(ctx, req);
    await around.setFavourite(ctx.db, tutorial.id, req.user!.id, on(req.body));
    res.redirect(303, `/tutorials/${tutorial.id}`);
  });

  router.post("/tutorials/:id/useful", requireUser, async (req, res) => {
    const tutorial = await readableTutorial(ctx, req);
    const done = await ctx.transaction((tx) =>
      around.setUseful(tx, tutorial, req.user!.id, on(req.body), ctx.ports.tutorials),
    );
    if (!done.ok) throw new HttpError(422, `tutorials:errors.useful.${done.error}`);
    res.redirect(303, `/tutorials/${tutorial.id}`);
  });

  router.post("/tutorials/:id/comments", requireUser, async (req, res) => {
    const tutorial = await readableTutorial(ctx, req);
    const source = text(req.body, "text", 10_000).trim();
    if (source.length === 0) throw new HttpError(422, "tutorials:errors.commentEmpty");
    const done = await ctx.transaction((tx) =>
      comment(tx, deps, { tutorial, user: req.user!, source }, ctx.ports.tutorials),
    );
    if (!done.ok)
      throw new HttpError(done.error === "slow_down" ? 429 : 403, `tutorials:errors.comment`, {
        detail: done.error,
      });
    flash(req, "tutorials:flash.commented");
    res.redirect(303, `/tutorials/${tutorial.id}#comments`);
  });

  router.post("/tutorials/:id/made", requireUser, ...madeBody, async (req, res) => {
    const tutorial = await readableTutorial(ctx, req);
    const done = await around.postMade(
      ctx.db,
      ctx.config.publicUrl,
      {
        tutorial,
        user: req.user!,
        body: text(req.body, "body", 2000),
        image: req.file?.buffer,
        alt: text(req.body, "alt", 300),
      },
      (work) => ctx.transaction(work),
      ctx.ports.tutorials,
    );
    if (!done.ok) throw new HttpError(422, `tutorials:errors.made.${done.error}`);
    flash(req, "tutorials:flash.made");
    res.redirect(303, `/tutorials/${tutorial.id}#made`);
  });

  router.post("/tutorials/:id/made/:madeId/remove", requireUser, async (req, res) => {
    const tutorial = await readableTutorial(ctx, req);
    const done = await ctx.transaction((tx) =>
      around.removeMade(tx, ctx.config.publicUrl, {
        tutorialId: tutorial.id,
        madeId: String(req.params.madeId),
        by: req.user!,
        staff: STAFF_ROLES.includes(req.user!.role) || req.user!.role === "moderator",
        reason: text(req.body, "reason", 1000),
      }),
    );
    if (!done.ok)
      throw new HttpError(
        done.error === "not_found" ? 404 : done.error === "forbidden" ? 403 : 422,
        done.error === "reason_required"
          ? "tutorials:errors.reasonRequired"
          : `errors.${done.error === "not_found" ? "notFound" : "forbidden"}`,
      );
    flash(req, "tutorials:flash.madeRemoved");
    res.redirect(303, `/tutorials/${tutorial.id}#made`);
  });

  // The activity where the tutorial is taught: an offer of this instance, by its id or address.
  router.post("/tutorials/:id/offer", requireUser, async (req, res) => {
    const tutorial = await repo.findTutorial(ctx.db, String(req.params.id));
    if (!tutorial) throw new HttpError(404, "errors.notFound");
    if (!(await repo.mayEdit(ctx.db, tutorial, req.user)))
      throw new HttpError(403, "errors.forbidden");
    const given = text(req.body, "offer", 300).trim();
    let offerId: string | null = null;
    if (given !== "") {
      const offer = await findOffer(ctx.db, offerIdFrom(given) ?? "");
      if (!offer || offer.status === "draft") throw new HttpError(422, "tutorials:errors.offer");
      offerId = offer.id;
    }
    await ctx.db
      .updateTable("tutorials")
      .set({ offer_id: offerId, updated_at: new Date() })
      .where("id", "=", tutorial.id)
      .execute();
    flash(req, "tutorials:flash.offerLinked");
    res.redirect(303, `/tutorials/${tutorial.id}/edit#offer`);
  });
}
