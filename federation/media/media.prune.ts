// Old copies of remote pictures go (issue 16 item 8): the daily job `federation.mediaPrune`
// deletes the copies made (or refused) more than MEDIA_KEEP_DAYS ago that no stored content names
// any more. Pictures written into kept content (forum posts, followed people's notes) and offers'
// pictures stay as long as that content does: their path is in the HTML, nothing would ask for
// them again. Avatars, banners and link-card pictures are asked for each time a page shows them
// (readyMedia), so a pruned one is fetched afresh the next time it is shown.
import { unlink } from "node:fs/promises";
import { sql } from "kysely";
import type { FederationRuntime } from "../deps.ts";
import { mediaFile } from "./media.fetch.ts";

export const MEDIA_KEEP_DAYS = 30;
const BATCH = 500;
const KEY_IN_HTML = "/media/([0-9a-f]{64})";

/** The keys stored content shows by path. */
async function referencedKeys(runtime: FederationRuntime): Promise<Set<string>> {
  const { db } = runtime.app;
  const inHtml = (table: "forum_posts" | "federation_remote_notes", column: string) =>
    sql<{
      key: string;
    }>`select distinct (regexp_matches(${sql.ref(column)}, ${KEY_IN_HTML}, 'g'))[1]
      as key from ${sql.table(table)} where ${sql.ref(column)} like '%/media/%'`.execute(db);
  const [posts, notes, offers] = await Promise.all([
    inHtml("forum_posts", "content_html"),
    inHtml("federation_remote_notes", "content"),
    db.selectFrom("offers").select("remote_image").where("remote_image", "is not", null).execute(),
  ]);
  return new Set([
    ...posts.rows.map((r) => r.key),
    ...notes.rows.map((r) => r.key),
    ...offers.map((r) => r.remote_image!.slice("/media/".length)),
  ]);
}

/** Deletes the old copies nothing names any more (rows and files); how many went. */
export async function pruneMedia(runtime: FederationRuntime, now = new Date()): Promise<number> {
  const { db, config, log } = runtime.app;
  const before = new Date(now.getTime() - MEDIA_KEEP_DAYS * 86_400_000);
  const old = await db
    .selectFrom("federation_media")
    .select("key")
    .where("state", "in", ["ready", "failed"])
    .where((eb) => eb(eb.fn.coalesce("fetched_at", "created_at"), "<", before))
    .orderBy("created_at")
    .limit(BATCH)
    .execute();
  if (old.length === 0) return 0;
  const kept = await referencedKeys(runtime);
  const gone = old.map((r) => r.key).filter((key) => !kept.has(key));
  if (gone.length === 0) return 0;
  await db.deleteFrom("federation_media").where("key", "in", gone).execute();
  for (const key of gone)
    await unlink(mediaFile(config.dataDir, key)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== "ENOENT") log.warn({ err: error, key }, "media: could not delete a copy");
    });
  log.info({ count: gone.length }, "media: old copies deleted");
  return gone.length;
}
