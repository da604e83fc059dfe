// Remote pictures shown on our pages (issue 16 item 8, ADR 0161): an attachment of an incoming
// post, the avatar (`icon`) or banner (`image`) of a remote actor. Our pages never point at
// another server (the CSP allows images from this host only, and a member's browser should not
// tell a remote server what it reads): a page asks for `/media/<key>`, and the first time a
// picture is asked for, a job fetches it through the federation's guarded agent, checks it and
// keeps a re-encoded copy on disk. Until then, and if it cannot be had, the page shows the alt
// text (attachments) or the initial (avatars).
import { createHash } from "node:crypto";
import type { AppContext } from "../../server/context.ts";
import type { Db } from "../../server/db/database.ts";

/** The boxes a picture is fitted in, per use. Avatars are cropped square, the others kept whole. */
export const MEDIA_SIZES = {
  avatar: { width: 256, height: 256, fit: "cover" },
  banner: { width: 1500, height: 500, fit: "inside" },
  picture: { width: 1280, height: 1280, fit: "inside" },
} as const;
export type MediaSize = keyof typeof MEDIA_SIZES;

const KEY = /^[0-9a-f]{64}$/;

export function isMediaKey(key: string): boolean {
  return KEY.test(key);
}

/** The key of a picture in a size: the same URL asked twice is fetched once. */
export function mediaKey(url: string, size: MediaSize): string {
  return createHash("sha256").update(`${size} ${url}`).digest("hex");
}

/** The path our pages show for a picture (see media.routes.ts). */
export function mediaPath(key: string): string {
  return `/media/${key}`;
}

function fetchable(url: string | null | undefined): url is string {
  if (!url) return false;
  try {
    return /^https?:$/.test(new URL(url).protocol);
  } catch {
    return false;
  }
}

/**
 * Our path for a remote picture, asking for its copy the first time (a job fetches it: never the
 * request that shows the page); null for what is not an http(s) URL.
 */
export async function wantMedia(
  app: Pick<AppContext, "db" | "queue" | "log">,
  url: string | null | undefined,
  size: MediaSize,
): Promise<string | null> {
  if (!fetchable(url)) return null;
  const key = mediaKey(url, size);
  const inserted = await app.db
    .insertInto("federation_media")
    .values({ key, url, size })
    .onConflict((oc) => oc.column("key").doNothing())
    .returning("key")
    .executeTakeFirst();
  if (inserted) {
    // The queue keeps what it is handed (BullMQ's outbox table covers Redis being away).
    await app.queue.enqueue("federation.media", { key }).catch((error: unknown) => {
      app.log.warn({ err: error, key }, "media: could not queue the fetch");
    });
  }
  return mediaPath(key);
}

/**
 * Our path for a picture whose copy is ready; null otherwise (the page shows an initial), after
 * asking for the copy if nobody did yet (a job makes it, not this request).
 */
export async function readyMedia(
  app: Pick<AppContext, "db" | "queue" | "log">,
  url: string | null | undefined,
  size: MediaSize,
): Promise<string | null> {
  if (!fetchable(url)) return null;
  const key = mediaKey(url, size);
  const row = await app.db
    .selectFrom("federation_media")
    .select("state")
    .where("key", "=", key)
    .executeTakeFirst();
  if (row?.state === "ready") return mediaPath(key);
  if (!row) await wantMedia(app, url, size);
  return null;
}

export interface MediaRow {
  key: string;
  url: string;
  size: MediaSize;
  state: "pending" | "ready" | "failed";
}

export async function findMedia(db: Db, key: string): Promise<MediaRow | undefined> {
  const row = await db
    .selectFrom("federation_media")
    .select(["key", "url", "size", "state"])
    .where("key", "=", key)
    .executeTakeFirst();
  return row && row.size in MEDIA_SIZES ? { ...row, size: row.size as MediaSize } : undefined;
}
