// `/activities/<uuid>`: the activities we sent, at their ids (federation/activities.ts says what
// is served to whom). Express serves them, not a Fedify object dispatcher, so that each goes out
// exactly as it was sent (with the properties Fedify's vocabulary does not know) and a deleted
// object's activity answers 410. GET and HEAD; media types compared without their parameters.
import type express from "express";
import type { AppContext } from "../../server/context.ts";
import { HttpError } from "../../server/http/errors.ts";
import { wantsActivityStreams } from "../../server/http/negotiate.ts";
import { activityAccess, storedActivity, targetOf } from "../activities.ts";
import type { FederationRuntime } from "../deps.ts";

/** The request as Fedify reads signatures: at PUBLIC_URL, with the host the signer used. */
function asRequest(req: express.Request, publicUrl: URL): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (typeof value === "string") headers.set(name, value);
  }
  headers.set("host", publicUrl.host);
  return new Request(new URL(req.originalUrl, publicUrl), { method: req.method, headers });
}

export function activitiesRoutes(
  router: express.Router,
  ctx: AppContext,
  runtime: FederationRuntime,
): void {
  const publicUrl = ctx.config.publicUrl;
  router.get("/activities/:id", async (req, res) => {
    const id = new URL(`/activities/${encodeURIComponent(String(req.params.id))}`, publicUrl);
    const stored = await storedActivity(ctx.db, id.href);
    if (!stored) throw new HttpError(404, "errors.notFound");
    res.vary("Accept");
    if (!wantsActivityStreams(req.headers.accept)) {
      // A person is sent to the page of what the activity is about, when it is ours.
      const target = targetOf(stored.json);
      if (target && URL.canParse(target) && new URL(target).origin === publicUrl.origin)
        return res.redirect(303, new URL(target).pathname);
      throw new HttpError(406, "errors.badRequest", { detail: "This activity has no page." });
    }
    const fedify = runtime.federation.createContext(asRequest(req, publicUrl), undefined);
    const access = await activityAccess(fedify, runtime, runtime.objectAccess, stored);
    if (access === "gone")
      return res
        .status(410)
        .type("application/activity+json")
        .send(
          JSON.stringify({
            "@context": "https://www.w3.org/ns/activitystreams",
            id: id.href,
            type: "Tombstone",
          }),
        );
    // Refused without saying whether it exists: a signature of an allowed instance it was sent
    // to may get it.
    if (access === "hidden")
      throw new HttpError(401, "errors.unauthorized", {
        detail: "A fetch signed by an instance this activity was sent to is required.",
      });
    res.type("application/activity+json").send(JSON.stringify(stored.json));
  });
}
