// When a CMCAS accepts our Follow, the tutorials it already published are read from its outbox,
// page after page (ADR 0117), so the library does not wait for its next Create. The offers'
// backfill does the same for Events; both record their progress in federation_backfills under
// their own kind. Each Article is fetched again at its own URL: what we keep is its current state.
import { Article } from "@fedify/vocab";
import type { FederationRuntime } from "../deps.ts";
import { backfillFromOutbox } from "../follows/outbox-objects.ts";
import { tolerate } from "../tolerate.ts";
import { keepArticle } from "./remote-articles.ts";

/** Reads the outbox of a followed CMCAS and keeps its Articles; how many were kept. */
export function backfillTutorials(
  runtime: FederationRuntime,
  remoteActorId: number,
): Promise<number> {
  return backfillFromOutbox(runtime, remoteActorId, {
    type: "Article",
    kind: "tutorials",
    async keep(uri, { actor, fctx, documentLoader }) {
      const log = runtime.app.log.child({ publisher: actor.uri, tutorial: uri });
      // A removed one answers a Tombstone (or nothing): it is not kept.
      const object = await tolerate(
        fctx.lookupObject(uri, { documentLoader }),
        null,
        log,
        "fetching an Article",
      );
      return object instanceof Article && (await keepArticle(runtime, fctx, actor, object, log));
    },
  });
}
