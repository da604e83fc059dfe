// When a CMCAS (or any event publisher) accepts our Follow, its upcoming offers are fetched from
// its outbox, page after page, so the catalogue does not wait for its next Create. Each Event is
// fetched again at its own URL: what we keep is its current state, not the one it was created in.
import type { FederationRuntime } from "../deps.ts";
import { backfillFromOutbox } from "../follows/outbox-objects.ts";
import { tolerate } from "../tolerate.ts";
import { keepRemoteOffer, readRemoteEvent, upcoming } from "./remote-offers.ts";
import { plainTerms } from "./terms.ts";

type Json = Record<string, unknown>;

export function backfillOffers(runtime: FederationRuntime, remoteActorId: number): Promise<number> {
  const { app } = runtime;
  return backfillFromOutbox(runtime, remoteActorId, {
    type: "Event",
    kind: "offers",
    async keep(uri, { actor, fetchJson }) {
      const log = app.log.child({ publisher: actor.uri, event: uri });
      const json = plainTerms(await tolerate(fetchJson(uri), {} as Json, log, "fetching an Event"));
      const event = json.type === "Event" ? readRemoteEvent(json, actor) : undefined;
      if (!event || !upcoming(event)) return false;
      await keepRemoteOffer(app, actor.id, event);
      return true;
    },
  });
}
