// Our tutorials at their own URL: an Article to `Accept: application/activity+json`, the HTML page
// (Express) otherwise. Drafts and local-only tutorials are not served, `network` ones only to
// signed requests from allowed instances; a removed one answers a Tombstone.
import "../temporal.ts";
import type { Federation } from "@fedify/fedify";
import { Article, Tombstone } from "@fedify/vocab";
import type { FederationDeps } from "../deps.ts";
import { tolerate } from "../tolerate.ts";
import { servedWithExtras } from "../extras.ts";
import {
  federatedTutorial,
  isFederated,
  tutorialArticle,
  tutorialExtras,
  tutorialUri,
} from "./article.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function registerTutorialObjects(federation: Federation<void>, deps: FederationDeps): void {
  const { db, config } = deps.app;
  federation
    .setObjectDispatcher(Article, "/tutorials/{id}", async (_ctx, { id }) => {
      if (!UUID.test(id)) return null;
      const data = await federatedTutorial(db, id);
      if (!data) return null;
      if (isFederated(data.tutorial))
        return servedWithExtras(tutorialArticle(config.publicUrl, data), tutorialExtras(data));
      if (data.tutorial.status !== "removed" || data.tutorial.visibility === "local") return null;
      const tombstone = new Tombstone({
        id: tutorialUri(config.publicUrl, id),
        formerType: Article,
        summary: data.tutorial.removal_reason,
        deleted: Temporal.Instant.fromEpochMilliseconds(data.tutorial.updated_at.getTime()),
      });
      return tombstone as unknown as Article;
    })
    .authorize(async (ctx, { id }) => {
      if (!UUID.test(id)) return true;
      const data = await federatedTutorial(db, id);
      if (!data || data.tutorial.visibility === "public") return true;
      const owner = await tolerate(
        ctx.getSignedKeyOwner(),
        null,
        deps.app.log.child({ tutorial: id }),
        "reading the signature of a fetch",
      );
      return owner?.id ? deps.policy.allows(owner.id) : false;
    });
}
