// The tutorials' port: our published tutorials go to the CMCAS's followers as Articles (Create,
// Update), and a withdrawn one as a Delete of its Tombstone carrying the reason in `summary`.
import "../temporal.ts";
import { Create, Update } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import type { TutorialsPort } from "../../server/tutorials/tutorials.port.ts";
import type { FederationRuntime } from "../deps.ts";
import { allowedSignerOfGet } from "../signed.ts";
import { deleteFromCmcas, publishToFollowers } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";
import { sendComment, sendMade, sendVote } from "./replies.ts";
import { relayAlbumPhoto, relayAlbumRemoval } from "./album-relay.ts";
import { sendAlbumPhoto, sendAlbumPhotoRejected, sendAlbumPhotoRemoved } from "./albums.ts";
import {
  federatedTutorial,
  isFederated,
  tutorialArticle,
  tutorialExtras,
  tutorialUri,
} from "./article.ts";

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
    tutorialExtras(data),
  );
}

export function tutorialsPort(runtime: FederationRuntime): TutorialsPort {
  const publicUrl = runtime.app.config.publicUrl;
  return {
    allowedSigner: (request) => allowedSignerOfGet(runtime, request),
    published: (tx, id) => federate(tx, publicUrl, id, "Create"),
    commented: (tx, input) => sendComment(tx, publicUrl, input),
    made: (tx, input) => sendMade(tx, publicUrl, input),
    voted: (tx, input) => sendVote(tx, publicUrl, input),
    albumPhoto: (tx, input) => sendAlbumPhoto(tx, publicUrl, input),
    albumPhotoRemoved: (tx, input) => sendAlbumPhotoRemoved(tx, publicUrl, input),
    albumPhotoRejected: (tx, input) => sendAlbumPhotoRejected(tx, publicUrl, input),
    albumShared: (tx, input) => relayAlbumPhoto(tx, publicUrl, input),
    albumUnshared: (tx, input) => relayAlbumRemoval(tx, publicUrl, input),
    updated: (tx, id) => federate(tx, publicUrl, id, "Update"),
    async withdrawn(tx, tutorial, reason) {
      if (tutorial.visibility === "local") return;
      await deleteFromCmcas(tx, publicUrl, tutorialUri(publicUrl, tutorial.id), {
        public: tutorial.visibility === "public",
        summary: reason,
      });
    },
  };
}
