// Where the hub sends a member who wants to book another territory's offer (ADR 0121): their own
// instance's `/hub/offer?uri=<the Event's id>`. Signed in (or after signing in), they land on this
// instance's page of that offer, where the cross-instance booking runs. An offer this instance
// does not keep yet (its publisher is not followed here) is fetched once and kept like any remote
// offer, within the domain policy.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { requireUser } from "../../server/http/auth.ts";
import { HttpError } from "../../server/http/errors.ts";
import { resolveRemoteActor } from "../actors/remote.ts";
import type { FederationRuntime } from "../deps.ts";
import { localOfferId } from "../offers/event.ts";
import { keepRemoteOffer, readRemoteEvent } from "../offers/remote-offers.ts";
import { plainTerms } from "../offers/terms.ts";
import { tolerate } from "../tolerate.ts";
import { INSTANCE_ACTOR } from "../uris.ts";

type Json = Record<string, unknown>;

const firstId = (v: unknown): string | undefined => {
  const one = Array.isArray(v) ? v[0] : v;
  if (typeof one === "string") return one;
  const id = (one as Json | null)?.id;
  return typeof id === "string" ? id : undefined;
};

export function landingRoutes(
  router: express.Router,
  ctx: AppContext,
  runtime: FederationRuntime,
): void {
  router.get("/hub/offer", requireUser, async (req, res) => {
    let uri: URL;
    try {
      uri = new URL(String(req.query.uri ?? ""));
    } catch {
      throw new HttpError(400, "hub:landing.badUri");
    }
    if (!/^https?:$/.test(uri.protocol)) throw new HttpError(400, "hub:landing.badUri");
    const own = localOfferId(ctx.config.publicUrl, uri);
    if (own) return res.redirect(303, `/offers/${own}`);
    const kept = await ctx.db
      .selectFrom("offers")
      .select("id")
      .where("remote_uri", "=", uri.href)
      .executeTakeFirst();
    if (kept) return res.redirect(303, `/offers/${kept.id}`);
    if (!(await runtime.policy.allows(uri.host)))
      throw new HttpError(403, "hub:landing.notAllowed");
    const id = await fetchOffer(runtime, uri);
    if (!id) throw new HttpError(404, "hub:landing.notFound");
    res.redirect(303, `/offers/${id}`);
  });
}

async function fetchOffer(runtime: FederationRuntime, uri: URL): Promise<string | undefined> {
  const { app } = runtime;
  const fed = runtime.context();
  const log = app.log.child({ event: uri.href });
  const load = await fed.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const loaded = await tolerate(load(uri.href), undefined, log, "fetching an Event");
  if (!loaded) return undefined;
  const json = plainTerms(loaded.document as Json);
  const publisherUri = firstId(json.attributedTo) ?? firstId(json.organizer);
  if (json.type !== "Event" || !publisherUri) return undefined;
  const publisher = await resolveRemoteActor(app.db, fed, publisherUri, log);
  if (!publisher) return undefined;
  const event = readRemoteEvent(json, publisher);
  if (!event) return undefined;
  return keepRemoteOffer(app, publisher.id, event);
}
