// Tutorials of the CMCAS we follow: Create and Update of their Articles are kept in our library
// (through the tutorials' service), marked with the publisher's territory; a Delete removes them
// with the reason its `summary` carries (ADR 0115).
import { Article, type Create, type Delete, type Update } from "@fedify/vocab";
import { deleteRemoteTutorial } from "../../server/tutorials/remote.service.ts";
import { deleteMade } from "../../server/tutorials/incoming.service.ts";
import { deleteRemoteAlbumPhoto } from "../../server/tutorials/albums.remote.ts";
import { removeSentAlbumPhoto } from "../../server/tutorials/albums.service.ts";
import { findRemoteActor } from "../actors/remote.ts";
import { backfillOnAccept } from "../follows/backfill-on-accept.ts";
import { isFollowed } from "../offers/offers.inbox.ts";
import { route } from "../inbox/route.ts";
import { keepArticle } from "./remote-articles.ts";
import { sentAlbumNote } from "./albums.ts";
import { relayAlbumRemoval } from "./album-relay.ts";

const onArticle = route<Create | Update>({
  name: "tutorials.article",
  activity: ["Create", "Update"],
  object: "Article",
  async handle(input) {
    const article = await input.object();
    if (!(article instanceof Article) || !article.id) return false;
    const { app } = input.deps;
    const sender = await input.sender();
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    // A person's Article (a blog post) is no CMCAS's tutorial: it is shown as a link card on the
    // person's page (federation/notes/cards.inbox.ts).
    if (sender.type === "Person") return false;
    // Only the actors we follow fill our library, and only with their own server's Articles.
    if (!(await isFollowed(app.db, sender))) return true;
    const embedded = input.raw?.object;
    const raw =
      typeof embedded === "object" && embedded !== null && !Array.isArray(embedded)
        ? (embedded as Record<string, unknown>)
        : undefined;
    await keepArticle(input.deps, input.fed, sender, article, input.log, raw);
    return true;
  },
});

const onDelete = route<Delete>({
  name: "tutorials.delete",
  activity: "Delete",
  object: "*",
  async handle(input) {
    const uri = input.activity.objectId?.href;
    if (!uri) return false;
    const { app } = input.deps;
    const sender = await findRemoteActor(app.db, { uri: input.senderUri.href });
    if (!sender) return false;
    const reason = input.activity.summary?.toString() ?? null;
    const publicUrl = app.config.publicUrl;
    const sent = sentAlbumNote(publicUrl, uri);
    return app.transaction(async (tx) => {
      if (await deleteRemoteTutorial(tx, sender.id, uri, reason)) return true;
      // Or a "Je l'ai fait !" post its author deleted.
      if (await deleteMade(tx, uri, sender.uri)) return true;
      // Or an album photo (taken back by its author or removed by their instance's staff, or
      // a shared photo of a remote offer's album its publisher withdrew).
      const photo = await deleteRemoteAlbumPhoto(tx, uri, sender.uri, reason);
      if (photo) {
        // A photo of one of our offers: it leaves the other participants' instances too.
        if (photo.offerIsOurs) await relayAlbumRemoval(tx, publicUrl, { ...photo, reason });
        return true;
      }
      // Or the photo our member sent to a remote offer's album, removed by its staff.
      return (
        sent !== undefined &&
        removeSentAlbumPhoto(tx, publicUrl, { ...sent, publisherActorId: sender.id, reason })
      );
    });
  },
});

/** A CMCAS accepts our Follow: its tutorials are read from its outbox (ADR 0117). */
const onAcceptOfFollow = backfillOnAccept("tutorials.backfill-on-accept", "tutorials.backfill");

export const tutorialsInbox = [onArticle, onDelete, onAcceptOfFollow];
