// Public notes of the remote people our members follow: kept for their profile page, and each new
// one notifies the local followers. Only the author's own instance may create or change a note.
import type { Create, Delete, Update } from "@fedify/vocab";
import { Note, PUBLIC_COLLECTION } from "@fedify/vocab";
import { notify } from "../../server/notifications/notifications.service.ts";
import { fetchRemoteActor, findRemoteActor, type RemoteActor } from "../actors/remote.ts";
import { localFollowersOf } from "../follows/follows.repo.ts";
import { sanitizeRemoteHtml } from "../html.ts";
import type { InboxHandler, InboxScope } from "../inbox/scope.ts";
import { hostOf } from "../uris.ts";
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
    content: sanitizeRemoteHtml(note.content?.toString()),
    summary: note.summary?.toString() ?? "",
    url: url && /^https?:$/.test(url.protocol) ? url.href : null,
    publishedAt: note.published ? new Date(note.published.epochMilliseconds) : new Date(),
  };
}

async function keepNote(note: Note, scope: InboxScope): Promise<boolean> {
  const author = await scope.sender();
  if (!author) throw new Error(`cannot fetch the actor ${scope.senderUri.href}`);
  const kept = noteFromVocab(note, author);
  if (!kept) return true;
  const { app } = scope.deps;
  await app.transaction(async (tx) => {
    if (!(await saveNote(tx.db, kept))) return;
    for (const userId of await localFollowersOf(tx.db, author.id)) {
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

export const onCreateNote: InboxHandler<Create> = async (create, scope) => {
  const object = await create.getObject({ crossOrigin: "ignore" }).catch(() => null);
  return object instanceof Note ? keepNote(object, scope) : false;
};

export const onUpdateNote: InboxHandler<Update> = async (update, scope) => {
  const object = await update.getObject({ crossOrigin: "ignore" }).catch(() => null);
  return object instanceof Note ? keepNote(object, scope) : false;
};

/** Update of an actor by itself: its profile changed, fetch it again. */
export const onUpdateActor: InboxHandler<Update> = async (update, scope) => {
  if (update.objectId?.href !== scope.senderUri.href) return false;
  await fetchRemoteActor(scope.deps.app.db, scope.fed, scope.senderUri);
  return true;
};

export const onDeleteNote: InboxHandler<Delete> = async (del, scope) => {
  const author = del.objectId
    ? await findRemoteActor(scope.deps.app.db, { uri: scope.senderUri.href })
    : undefined;
  return author ? deleteNote(scope.deps.app.db, del.objectId!.href, author.id) : false;
};
