// Tutorials of the CMCAS we follow (ADR 0115): written by federation through these functions only,
// kept beside ours (so the library lists them, marked with their territory), changed and deleted
// only by the actor that sent them.
import { sql } from "kysely";
import type { Tx } from "../db/transaction.ts";
import { sanitizeArticle } from "./remote-html.ts";
import type { Difficulty, RemoteImage } from "./tutorials.tables.ts";
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
  /** Who wrote it, as its Article's `attributedTo` actor names itself, and that actor's page. */
  authorName: string | null;
  authorUrl: string | null;
  publishedAt: Date;
  /** Its category as its instance names it (slug, French name); null when it says none. */
  category: { slug: string; name: string } | null;
  difficulty: Difficulty | null;
  durationMinutes: number | null;
  costCents: number | null;
}

/**
 * Our category for a remote one (ADR 0118): the category with its slug, else with its name (case
 * and accents aside), among those not archived; else the last one of the taxonomy (vie pratique).
 */
async function localCategory(tx: Tx, remote: RemoteTutorial["category"]): Promise<string> {
  const categories = await tx.db
    .selectFrom("tutorial_categories")
    .select(["id", "slug", "name_fr", "name_en"])
    .where("archived_at", "is", null)
    .orderBy("position", "desc")
    .execute();
  const fold = (s: string) => s.normalize("NFD").replace(/\p{M}/gu, "").trim().toLowerCase();
  const found =
    remote &&
    (categories.find((c) => remote.slug !== "" && c.slug === remote.slug) ??
      categories.find(
        (c) =>
          remote.name !== "" &&
          (fold(c.name_fr) === fold(remote.name) || fold(c.name_en) === fold(remote.name)),
      ));
  if (found) return found.id;
  const fallback =
    categories.find((c) => c.slug === "vie-pratique") ??
    categories[0] ??
    (await tx.db
      .selectFrom("tutorial_categories")
      .select("id")
      .orderBy("position", "desc")
      .limit(1)
      .executeTakeFirstOrThrow());
  return fallback.id;
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
    remote_author_name: input.authorName?.slice(0, 200) ?? null,
    remote_author_url: input.authorUrl,
    remote_content_html: sanitizeArticle(input.contentHtml),
    remote_images: JSON.stringify(input.images.slice(0, 200)) as unknown as RemoteImage[],
    status: "published" as const,
    category_id: await localCategory(tx, input.category),
    // Said by its instance, or our defaults (the editor's) when it says nothing.
    difficulty: input.difficulty ?? ("facile" as const),
    duration_minutes: input.durationMinutes,
    cost_cents: input.costCents,
    updated_at: new Date(),
  };
  let id = existing?.id;
  if (id) await tx.db.updateTable("tutorials").set(values).where("id", "=", id).execute();
  else {
    const row = await tx.db
      .insertInto("tutorials")
      .values({
        ...values,
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
