// Tutorials of the CMCAS we follow (ADR 0115): written by federation through these functions only,
// kept beside ours (so the library lists them, marked with their territory), changed and deleted
// only by the actor that sent them.
import { sql } from "kysely";
import type { Tx } from "../db/transaction.ts";
import { sanitizeHtmlAs } from "../lib/html-policy.ts";
import type { RemoteImage } from "./tutorials.tables.ts";
import { refreshSearch } from "./tutorials.service.ts";

export interface RemoteTutorial {
  uri: string;
  url: string;
  title: string;
  summary: string;
  contentHtml: string;
  tags: string[];
  images: RemoteImage[];
  /** The territory it comes from (the publisher's name or host). */
  territory: string;
  publishedAt: Date;
}

/** Creates or updates a remote tutorial; its visibility is `network` (members only here). */
export async function saveRemoteTutorial(
  tx: Tx,
  publisherId: number,
  input: RemoteTutorial,
): Promise<string> {
  const existing = await tx.db
    .selectFrom("tutorials")
    .select(["id", "remote_actor_id"])
    .where("remote_uri", "=", input.uri)
    .executeTakeFirst();
  if (existing && existing.remote_actor_id !== publisherId) return existing.id;
  const values = {
    title: input.title.slice(0, 200),
    summary: input.summary.slice(0, 1000),
    tags: input.tags.slice(0, 20),
    remote_url: input.url,
    territory: input.territory,
    remote_content_html: sanitizeHtmlAs("federated", input.contentHtml),
    remote_images: JSON.stringify(input.images.slice(0, 200)) as unknown as RemoteImage[],
    status: "published" as const,
    updated_at: new Date(),
  };
  let id = existing?.id;
  if (id) await tx.db.updateTable("tutorials").set(values).where("id", "=", id).execute();
  else {
    // The Article carries no category of ours: the last one of the taxonomy (vie pratique).
    const category = await tx.db
      .selectFrom("tutorial_categories")
      .select("id")
      .orderBy("position", "desc")
      .limit(1)
      .executeTakeFirstOrThrow();
    const row = await tx.db
      .insertInto("tutorials")
      .values({
        ...values,
        category_id: category.id,
        visibility: "network",
        remote_uri: input.uri,
        remote_actor_id: publisherId,
        published_at: input.publishedAt,
      })
      .returning("id")
      .executeTakeFirstOrThrow();
    id = row.id;
  }
  await refreshSearch(tx.db, id);
  return id;
}

/** Its publisher deleted it: removed here with the reason it gave. Whether it was one. */
export async function deleteRemoteTutorial(
  tx: Tx,
  publisherId: number,
  uri: string,
  reason: string | null,
): Promise<boolean> {
  const row = await tx.db
    .updateTable("tutorials")
    .set({
      status: "removed",
      removal_reason: reason ?? "",
      updated_at: sql<Date>`now()`,
    })
    .where("remote_uri", "=", uri)
    .where("remote_actor_id", "=", publisherId)
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}
