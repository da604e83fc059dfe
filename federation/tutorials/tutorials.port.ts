// The tutorials' port: our published tutorials go to the CMCAS's followers as Articles (Create,
// Update), and a withdrawn one as a Delete of its Tombstone carrying the reason in `summary`.
import "../temporal.ts";
import { Create, Delete, PUBLIC_COLLECTION, Tombstone, Update } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import type { TutorialsPort } from "../../server/tutorials/tutorials.port.ts";
import type { FederationDeps } from "../deps.ts";
import { publishToFollowers } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";
import { federatedTutorial, isFederated, tutorialArticle, tutorialUri } from "./article.ts";

async function federate(tx: Tx, publicUrl: URL, id: string, change: "Create" | "Update") {
  const data = await federatedTutorial(tx.db, id);
  if (!data || !isFederated(data.tutorial)) return;
  const article = tutorialArticle(publicUrl, data);
  const values = {
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, CMCAS_ACTOR),
    object: article,
    tos: article.toIds,
    ccs: article.ccIds,
  };
  await publishToFollowers(
    tx,
    CMCAS_ACTOR,
    change === "Create" ? new Create(values) : new Update(values),
  );
}

export function tutorialsPort(deps: FederationDeps): TutorialsPort {
  const publicUrl = deps.app.config.publicUrl;
  return {
    published: (tx, id) => federate(tx, publicUrl, id, "Create"),
    updated: (tx, id) => federate(tx, publicUrl, id, "Update"),
    async withdrawn(tx, tutorial, reason) {
      if (tutorial.visibility === "local") return;
      const actor = actorUri(publicUrl, CMCAS_ACTOR);
      await publishToFollowers(
        tx,
        CMCAS_ACTOR,
        new Delete({
          id: newActivityId(publicUrl),
          actor,
          object: new Tombstone({ id: tutorialUri(publicUrl, tutorial.id) }),
          summary: reason,
          tos: tutorial.visibility === "public" ? [PUBLIC_COLLECTION] : [],
          ccs: [new URL(`${actor.href}/followers`)],
        }),
      );
    },
  };
}
