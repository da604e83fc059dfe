// Public notes of remote people: kept for their profile page, and each new one notifies the local
// members who follow them. Only the author's own instance may create or change a note. A note that
// mentions one of our members tells them (public or not); a note from someone nobody here follows
// that mentions nobody here is not kept (anyone could otherwise fill an actor page).
import type { Delete } from "@fedify/vocab";
import { Create, Mention, Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import { plainText } from "../../server/offers/rich-text.ts";
import { notify } from "../../server/notifications/notifications.service.ts";
import { findRemoteActor, type RemoteActor } from "../actors/remote.ts";
import { localFollowersOf } from "../follows/follows.repo.ts";
import { sanitizeHtmlAs } from "../../server/lib/html-policy.ts";
import { route, type InboxInput } from "../inbox/route.ts";
import { attachmentsOf, linksHtml, picturesHtml } from "../media/attachments.ts";
import { tolerate } from "../tolerate.ts";
import { hostOf } from "../uris.ts";
import { MAILLAGE_NS } from "../offers/event.ts";
import { NOTE_OF } from "../offers/offer-note.ts";
import { deleteNote, saveNote, type RemoteNote } from "./notes.repo.ts";

/** A public note by `author`, in the shape we keep; undefined for anything else. */
export function noteFromVocab(note: Note, author: RemoteActor): RemoteNote | undefined {
  if (!note.id || note.attributionId?.href !== author.uri) return undefined;
  if (hostOf(note.id) !== author.host) return undefined;
  const audience = [...note.toIds, ...note.ccIds].map((u) => u.href);
  if (!audience.includes(PUBLIC_COLLECTION.href)) return undefined;
  const url = note.url instanceof URL ? note.url : (note.url?.href ?? null);
  return {
    uri: note.id.href,
    actorId: author.id,
    content: sanitizeHtmlAs("federated", note.content?.toString()),
    summary: note.summary?.toString() ?? "",
    url: url && /^https?:$/.test(url.protocol) ? url.href : null,
    publishedAt: note.published ? new Date(note.published.epochMilliseconds) : new Date(),
  };
}

/** Our members a note's `Mention` tags name (at most 20). */
async function mentionedMembers(input: InboxInput, note: Note): Promise<string[]> {
  const found = new Set<string>();
  for await (const tag of note.getTags({ suppressError: true })) {
    if (!(tag instanceof Mention) || !tag.href || found.size >= 20) continue;
    const parsed = input.fed.parseUri(tag.href);
    if (parsed?.type !== "actor") continue;
    const userId = (await input.deps.actors.byIdentifier(parsed.identifier))?.userId;
    if (userId) found.add(userId);
  }
  return [...found];
}

/** The short note another Maillage instance sends beside an offer's Event (offer-note.ts). */
function isOfferNote(input: InboxInput): boolean {
  const object = input.raw?.object;
  if (typeof object !== "object" || object === null) return false;
  // As sent (our context's term), or expanded to its IRI by a processor on the way.
  return [NOTE_OF, `maillage:${NOTE_OF}`, `${MAILLAGE_NS}${NOTE_OF}`].some((key) => key in object);
}

async function keepNote(note: Note, input: InboxInput): Promise<boolean> {
  if (isOfferNote(input)) {
    input.log.debug({ note: note.id?.href }, "note of an offer, shown as its Event: ignored");
    return true;
  }
  const author = await input.sender();
  if (!author) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
  const { app } = input.deps;
  const own = note.id && note.attributionId?.href === author.uri && hostOf(note.id) === author.host;
  if (!own) return true;
  const mentioned = await tolerate(
    mentionedMembers(input, note),
    [] as string[],
    input.log,
    "reading mentions",
  );
  const followers = await localFollowersOf(app.db, author.id);
  // Followed by a member or by another local actor (the CMCAS).
  const followed =
    followers.length > 0 ||
    (await app.db
      .selectFrom("federation_follows")
      .select("id")
      .where("remote_actor_id", "=", author.id)
      .where("direction", "=", "outgoing")
      .where("state", "=", "accepted")
      .executeTakeFirst()) !== undefined;
  if (!followed && mentioned.length === 0) {
    input.log.debug({ note: note.id?.href }, "note of an actor nobody here follows: ignored");
    return true;
  }
  const kept = noteFromVocab(note, author);
  if (kept) {
    // Pictures through our own copy, other attachments as links (federation/media).
    const { pictures, links } = await attachmentsOf(note, input.log);
    kept.content += (await picturesHtml(app, pictures)) + linksHtml(links);
  }
  const isNew = input.activity instanceof Create;
  await app.transaction(async (tx) => {
    const saved = kept ? await saveNote(tx.db, kept) : isNew;
    if (!saved) return;
    for (const userId of mentioned) {
      await notify(tx, app.config.publicUrl, {
        userId,
        kind: "federation:mentioned",
        data: {
          name: author.name,
          handle: author.handle,
          excerpt: plainText(sanitizeHtmlAs("federated", note.content?.toString())).slice(0, 140),
        },
        link: `/federation/actors/${author.id}`,
      });
    }
    if (!kept) return;
    for (const userId of followers) {
      if (mentioned.includes(userId)) continue;
      await notify(tx, app.config.publicUrl, {
        userId,
        kind: "federation:newPost",
        data: { name: author.name, handle: author.handle },
        link: `/federation/actors/${author.id}`,
      });
    }
  });
  return true;
}

/** A Note that is neither a forum post nor an offer's message (those routes come first). */
const onNote = route({
  name: "notes.note",
  activity: ["Create", "Update"],
  object: "Note",
  fallback: true,
  async handle(input) {
    const object = await input.object();
    return object instanceof Note ? keepNote(object, input) : false;
  },
});

const onDeleteNote = route<Delete>({
  name: "notes.delete",
  activity: "Delete",
  object: "*",
  async handle(input) {
    const { db } = input.deps.app;
    const id = input.activity.objectId;
    const author = id ? await findRemoteActor(db, { uri: input.senderUri.href }) : undefined;
    return author ? deleteNote(db, id!.href, author.id) : false;
  },
});

export const notesInbox = [onNote, onDeleteNote];
