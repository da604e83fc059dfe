import type { Db } from "../../server/db/database.ts";

export interface RemoteNote {
  uri: string;
  actorId: number;
  /** Sanitized HTML. */
  content: string;
  summary: string;
  url: string | null;
  publishedAt: Date;
  /** For an object shown as a link card (not a Note): its type, title and picture. */
  card?: { kind: string; name: string; imageUrl: string | null };
}

/** Keeps a note, or updates it if its author sent it before; true when it is new. */
export async function saveNote(db: Db, note: RemoteNote): Promise<boolean> {
  const existing = await db
    .selectFrom("federation_remote_notes")
    .select("actor_id")
    .where("uri", "=", note.uri)
    .executeTakeFirst();
  if (existing && existing.actor_id !== note.actorId) return false;
  const values = {
    content: note.content,
    summary: note.summary,
    url: note.url,
    published_at: note.publishedAt,
    kind: note.card?.kind ?? "Note",
    name: note.card?.name ?? null,
    image_url: note.card?.imageUrl ?? null,
  };
  await db
    .insertInto("federation_remote_notes")
    .values({ uri: note.uri, actor_id: note.actorId, ...values })
    .onConflict((oc) => oc.column("uri").doUpdateSet(values))
    .execute();
  return !existing;
}

export async function deleteNote(db: Db, uri: string, actorId: number): Promise<boolean> {
  const result = await db
    .deleteFrom("federation_remote_notes")
    .where("uri", "=", uri)
    .where("actor_id", "=", actorId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function notesOf(db: Db, actorId: number, limit = 20): Promise<RemoteNote[]> {
  const rows = await db
    .selectFrom("federation_remote_notes")
    .selectAll()
    .where("actor_id", "=", actorId)
    .orderBy("published_at", "desc")
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    uri: r.uri,
    actorId: r.actor_id,
    content: r.content,
    summary: r.summary,
    url: r.url,
    publishedAt: r.published_at,
    ...(r.kind !== "Note"
      ? { card: { kind: r.kind, name: r.name ?? "", imageUrl: r.image_url } }
      : {}),
  }));
}
