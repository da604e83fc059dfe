// What members of other instances do with our tutorials (ADR 0116), handed to the tutorials'
// services: a Note in reply to one of our Articles is a comment (kept as a post of the tutorial's
// forum topic, moderated here) or, marked with the `#JeLaiFait` hashtag and carrying an image, a
// "Je l'ai fait !" post; a `Like` of the Article is a "useful" vote, once per actor, and its
// `Undo` takes it back.
import { Hashtag, Image, Like, Note, type Create, type Undo, type Update } from "@fedify/vocab";
import {
  receiveComment,
  receiveMade,
  receiveUseful,
} from "../../server/tutorials/incoming.service.ts";
import { incomingPost } from "../forums/inbound-shared.ts";
import { route } from "../inbox/route.ts";
import { tolerate } from "../tolerate.ts";
import { MADE_TAG } from "./replies.ts";

const OUR_TUTORIAL =
  /^\/tutorials\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i;

/** The id of our tutorial that `uri` names, if it names one. */
export function ourTutorialId(publicUrl: URL, uri: URL | null | undefined): string | undefined {
  if (!uri || uri.origin !== publicUrl.origin || uri.search || uri.hash) return undefined;
  return OUR_TUTORIAL.exec(uri.pathname)?.[1]?.toLowerCase();
}

/** The photo of a made-it post: the Note is tagged `#JeLaiFait` and has an Image attachment. */
async function madePhoto(note: Note): Promise<{ url: string; alt: string } | undefined> {
  let marked = false;
  for await (const tag of note.getTags({ suppressError: true }))
    if (tag instanceof Hashtag && tag.name?.toString().toLowerCase() === MADE_TAG.toLowerCase())
      marked = true;
  if (!marked) return undefined;
  for await (const item of note.getAttachments({ suppressError: true })) {
    const url = item instanceof Image && item.url instanceof URL ? item.url : undefined;
    if (url && /^https?:$/.test(url.protocol))
      return { url: url.href, alt: item.name?.toString() ?? "" };
  }
  return undefined;
}

const onReply = route<Create | Update>({
  name: "tutorials.reply",
  activity: ["Create", "Update"],
  object: "Note",
  async handle(input) {
    const { app } = input.deps;
    const publicUrl = app.config.publicUrl;
    const note = await input.object();
    if (!(note instanceof Note) || !note.id) return false;
    const tutorialId = ourTutorialId(publicUrl, note.replyTargetId);
    if (!tutorialId) return false;
    // Written by the actor who sends it, on its own server.
    const sender = input.senderUri;
    if (note.attributionId?.href !== sender.href || note.id.origin !== sender.origin) return false;
    const post = await incomingPost(input.deps, input.fed, note, input.log);
    if (!post) return false;
    const photo = await tolerate(madePhoto(note), undefined, input.log, "reading a made-it post");
    const outcome = await app.transaction((tx) =>
      photo
        ? receiveMade(tx, publicUrl, tutorialId, {
            apId: post.apId,
            authorUri: post.authorUri,
            authorName: post.authorName,
            authorUrl: post.authorUrl,
            html: post.html,
            imageUrl: photo.url,
            alt: photo.alt,
            published: post.published,
          })
        : receiveComment(tx, publicUrl, tutorialId, post),
    );
    input.log.info({ tutorial: tutorialId, outcome, made: photo !== undefined }, "tutorial reply");
    return outcome !== "unknown";
  },
});

const onLike = route<Like>({
  name: "tutorials.like",
  activity: "Like",
  object: "*",
  async handle(input) {
    const { app } = input.deps;
    const tutorialId = ourTutorialId(app.config.publicUrl, input.activity.objectId);
    const sender = input.senderUri.href;
    if (!tutorialId || input.activity.actorId?.href !== sender) return false;
    const apId = input.activity.id?.href ?? null;
    return app.transaction((tx) =>
      receiveUseful(tx, tutorialId, { actorUri: sender, apId, on: true }),
    );
  },
});

const onUndoLike = route<Undo>({
  name: "tutorials.unlike",
  activity: "Undo",
  object: "Like",
  async handle(input) {
    const { app } = input.deps;
    const inner = await input.object();
    if (!(inner instanceof Like)) return false;
    const tutorialId = ourTutorialId(app.config.publicUrl, inner.objectId);
    const sender = input.senderUri.href;
    if (!tutorialId || input.activity.actorId?.href !== sender) return false;
    return app.transaction((tx) =>
      receiveUseful(tx, tutorialId, { actorUri: sender, apId: null, on: false }),
    );
  },
});

export const interactionsInbox = [onReply, onLike, onUndoLike];
