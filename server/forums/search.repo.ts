// French full-text search over the posts of every group the member may read. The `maillage_fr`
// configuration drops accents and reduces plurals, so "velos" finds "Vélo".
import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { User } from "../accounts/accounts.repo.ts";
import { readableBy } from "./groups.repo.ts";

export interface SearchHit {
  postId: string;
  topicId: string;
  topicTitle: string;
  position: number;
  groupSlug: string;
  groupName: string;
  authorName: string;
  /** Plain text with the matched words between \u0002 and \u0003 (escaped, then marked, by the caller). */
  snippet: string;
  createdAt: Date;
}

const START = "\u0002";
const STOP = "\u0003";

export async function searchPosts(
  db: Db,
  user: User | undefined,
  text: string,
  options: { limit: number; offset: number; groupId?: string | undefined },
): Promise<{ items: SearchHit[]; total: number }> {
  const query = sql`maillage_fold_plurals(websearch_to_tsquery('maillage_fr', ${text}))`;
  let base = db
    .selectFrom("forum_posts as p")
    .innerJoin("forum_topics as t", "t.id", "p.topic_id")
    .innerJoin("forum_groups as g", "g.id", "p.group_id")
    .where(sql<boolean>`p.search @@ ${query}`)
    .where("p.removed_at", "is", null)
    .where("t.removed_at", "is", null)
    .where(readableBy(user));
  if (options.groupId) base = base.where("g.id", "=", options.groupId);
  const total = await base
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .executeTakeFirstOrThrow();
  const rows = await base
    .leftJoin("users as u", "u.id", "p.author_id")
    .select([
      "p.id",
      "p.topic_id",
      "t.title",
      "p.position",
      "g.slug",
      "g.name",
      "u.display_name",
      "p.author_name",
      "p.created_at",
    ])
    .select(
      sql<string>`ts_headline('maillage_fr', p.text_plain, ${query}, ${`StartSel=${START}, StopSel=${STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`})`.as(
        "snippet",
      ),
    )
    .orderBy(sql`ts_rank(p.search, ${query})`, "desc")
    .orderBy("p.created_at", "desc")
    .limit(options.limit)
    .offset(options.offset)
    .execute();
  return {
    total: Number(total.n),
    items: rows.map((r) => ({
      postId: r.id,
      topicId: r.topic_id,
      topicTitle: r.title,
      position: r.position,
      groupSlug: r.slug,
      groupName: r.name,
      authorName: r.display_name ?? r.author_name ?? "?",
      snippet: r.snippet,
      createdAt: r.created_at,
    })),
  };
}

/** Escapes the snippet for HTML, then turns the markers into <mark>. */
export function snippetHtml(snippet: string): string {
  return snippet
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replaceAll(START, "<mark>")
    .replaceAll(STOP, "</mark>");
}

/** The snippet as plain text, for the API. */
export const plainSnippet = (snippet: string) => snippet.replaceAll(START, "").replaceAll(STOP, "");
