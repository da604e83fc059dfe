// Objects we do not model, from actors a local member (or the CMCAS) follows: a `Video` or `Audio`
// a PeerTube channel publishes or announces, an `Article` from a followed person that no module
// took (tutorials come first). They are kept beside the actor's notes and shown as a titled link
// card (title, summary, link to the original, picture through our own copy) rather than dropped.
// What no route takes at all is logged at debug level with its type by the inbox dispatcher.
import { Announce, Link, PUBLIC_COLLECTION, type Object as ApObject } from "@fedify/vocab";
import { plainText } from "../../server/offers/rich-text.ts";
import { sanitizeHtmlAs } from "../../server/lib/html-policy.ts";
import type { RemoteActor } from "../actors/remote.ts";
import { localFollowersOf } from "../follows/follows.repo.ts";
import { route, type InboxInput } from "../inbox/route.ts";
import { tolerate } from "../tolerate.ts";
import { hostOf } from "../uris.ts";
import { saveNote, type RemoteNote } from "./notes.repo.ts";

export const CARD_TYPES = ["Video", "Audio", "Article"] as const;
const SUMMARY_MAX = 300;

const httpHref = (url: URL | undefined | null) =>
  url && /^https?:$/.test(url.protocol) ? url.href : null;

/** The page to open: PeerTube lists its watch page (`text/html`) among the video files. */
function pageUrl(object: ApObject): string | null {
  const links = object.urls.map((u) => (u instanceof Link ? u : { href: u, mediaType: null }));
  const html = links.find((l) => l.mediaType?.startsWith("text/html"));
  const first = links.find((l) => !l.mediaType || !/^(video|audio|image)\//.test(l.mediaType));
  return httpHref((html ?? first)?.href) ?? httpHref(object.id);
}

/** Its picture: the `image`, else the first `icon` (PeerTube's thumbnails). */
async function pictureUrl(object: ApObject): Promise<string | null> {
  if (object.imageId) return httpHref(object.imageId);
  const image = await object.getImage({ suppressError: true });
  if (image?.url) return httpHref(image.url instanceof Link ? image.url.href : image.url);
  if (object.iconId) return httpHref(object.iconId);
  const icon = await object.getIcon({ suppressError: true });
  return icon?.url ? httpHref(icon.url instanceof Link ? icon.url.href : icon.url) : null;
}

/** The card we keep of `object`, from `author`'s server; undefined when it is not public. */
export async function cardFromVocab(
  object: ApObject,
  kind: string,
  actor: RemoteActor,
): Promise<RemoteNote | undefined> {
  if (!object.id || hostOf(object.id) !== actor.host) return undefined;
  const audience = [...object.toIds, ...object.ccIds].map((u) => u.href);
  if (!audience.includes(PUBLIC_COLLECTION.href)) return undefined;
  const text = plainText(
    sanitizeHtmlAs("federated", (object.summary ?? object.content)?.toString()),
  ).trim();
  const summary = text.length > SUMMARY_MAX ? `${text.slice(0, SUMMARY_MAX - 1)}…` : text;
  return {
    uri: object.id.href,
    actorId: actor.id,
    content: summary ? `<p>${sanitizeHtmlAs("federated", summary)}</p>` : "",
    summary: "",
    url: pageUrl(object),
    publishedAt: object.published ? new Date(object.published.epochMilliseconds) : new Date(),
    card: {
      kind,
      name: object.name?.toString().trim() || object.id.href,
      imageUrl: await pictureUrl(object),
    },
  };
}

async function keepCard(input: InboxInput): Promise<boolean> {
  const object = await input.object();
  const kind = input.objectType;
  if (!object || !kind) return false;
  const actor = await input.sender();
  if (!actor) return false;
  // Created by the sender (PeerTube attributes a video to its account and its channel), or
  // announced by the sender about its own server's object (a channel sharing its videos).
  const own =
    input.activity instanceof Announce || object.attributionIds.some((a) => a.href === actor.uri);
  if (!own) return false;
  const { db } = input.deps.app;
  const followed =
    (await localFollowersOf(db, actor.id)).length > 0 ||
    (await db
      .selectFrom("federation_follows")
      .select("id")
      .where("remote_actor_id", "=", actor.id)
      .where("direction", "=", "outgoing")
      .where("state", "=", "accepted")
      .executeTakeFirst()) !== undefined;
  if (!followed) {
    input.log.debug({ type: kind }, "object of an actor nobody here follows: ignored");
    return true;
  }
  const card = await tolerate(cardFromVocab(object, kind, actor), undefined, input.log, "card");
  if (!card) {
    input.log.debug({ type: kind }, "object not public or not from its sender's server: ignored");
    return true;
  }
  await saveNote(db, card);
  return true;
}

/** Runs only when no module took the object (tutorials take Maillage's Articles first). */
const onCard = route({
  name: "notes.card",
  activity: ["Create", "Update", "Announce"],
  object: CARD_TYPES,
  fallback: true,
  handle: keepCard,
});

export const cardsInbox = [onCard];
