// `/offers/<uuid>/note`: the short note of a public offer (offer-note.ts) at its id, so that
// software that fetches what it is sent, or refreshes it, finds it. Express serves it (Fedify
// has one object dispatcher per type, and Note's serves forum posts). To ActivityStreams media
// types (without their parameters), GET and HEAD: the note while the offer is public and the
// setting is on; 410 with a Tombstone once a note we sent is gone (cancelled, deleted, no longer
// public); 404 otherwise. Other requests are sent to the offer's page.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { HttpError } from "../../server/http/errors.ts";
import { wantsActivityStreams } from "../../server/http/negotiate.ts";
import type { FederationRuntime } from "../deps.ts";
import { federatedOffer } from "./event.ts";
import { lastNoteActivity, noteExtras, noteLive, offerNote, offerNoteUri } from "./offer-note.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const AS = "application/activity+json";

export function offerNoteRoutes(
  router: express.Router,
  ctx: AppContext,
  runtime: FederationRuntime,
): void {
  const publicUrl = ctx.config.publicUrl;
  router.get("/offers/:id/note", async (req, res) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new HttpError(404, "errors.notFound");
    res.vary("Accept");
    if (!wantsActivityStreams(req.headers.accept)) return res.redirect(303, `/offers/${id}`);
    const offer = await federatedOffer(ctx.db, id);
    await ctx.modules.fresh();
    if (noteLive(offer) && ctx.modules.settings("offers").microblogNotes === true) {
      const note = offerNote(publicUrl, ctx.config.timezone, offer!);
      const json = (await note.toJsonLd({
        format: "compact",
        contextLoader: runtime.context().contextLoader,
      })) as Record<string, unknown>;
      const extras = noteExtras(publicUrl, id);
      return res.type(AS).send(
        JSON.stringify({
          ...json,
          "@context": [json["@context"], extras.context].flat(),
          ...extras.fields,
        }),
      );
    }
    if (!(await lastNoteActivity(ctx.db, publicUrl, id)))
      throw new HttpError(404, "errors.notFound");
    res
      .status(410)
      .type(AS)
      .send(
        JSON.stringify({
          "@context": "https://www.w3.org/ns/activitystreams",
          id: offerNoteUri(publicUrl, id).href,
          type: "Tombstone",
          formerType: "Note",
        }),
      );
  });
}
