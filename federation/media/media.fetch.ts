// The job that makes our copy of a remote picture. What arrives is not trusted: the request leaves
// through the federation's guarded agent (each hop's address checked, time limits, at most
// OUTGOING_LIMITS.mediaBytes read), the answer must say it is an image and its first bytes must
// be PNG, JPEG, WebP or GIF, and sharp decodes it under a pixel limit and writes a new WebP file
// without the original's metadata (no location, no camera). A permanent refusal marks the row
// failed (the page keeps its alt text); a network failure is retried by the queue.
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { signRequest } from "@fedify/fedify";
import sharp from "sharp";
import { sniffImageType } from "../../server/http/images.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import type { FederationRuntime } from "../deps.ts";
import { OUTGOING_LIMITS } from "../http/outgoing.ts";
import { actorUri, INSTANCE_ACTOR } from "../uris.ts";
import { findMedia, MEDIA_SIZES, type MediaRow } from "./media.ts";

const MAX_PIXELS = 40_000_000;
const ACCEPTED = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);

export type MediaRefusal = "status" | "type" | "tooLarge" | "unreadable";

export function mediaDir(dataDir: string): string {
  return path.join(dataDir, "media");
}

export function mediaFile(dataDir: string, key: string): string {
  return path.join(mediaDir(dataDir), `${key}.webp`);
}

interface Encoded {
  data: Buffer;
  width: number;
  height: number;
}

/** The bytes as we keep them, or why they are refused. */
export async function encodeMedia(
  data: Buffer,
  declaredType: string,
  size: MediaRow["size"],
): Promise<Result<Encoded, MediaRefusal>> {
  const declared = declaredType.split(";")[0]!.trim().toLowerCase();
  if (!declared.startsWith("image/")) return fail("type");
  const sniffed = sniffImageType(data);
  if (!sniffed || !ACCEPTED.has(sniffed)) return fail("type");
  const box = MEDIA_SIZES[size];
  try {
    const { data: out, info } = await sharp(data, { limitInputPixels: MAX_PIXELS, failOn: "error" })
      .rotate()
      .resize(box.width, box.height, { fit: box.fit, withoutEnlargement: box.fit === "inside" })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return ok({ data: out, width: info.width, height: info.height });
  } catch {
    return fail("unreadable");
  }
}

const MAX_HOPS = 5;

/**
 * A GET of the picture, signed with the instance actor's key (draft-cavage, as Fedify's document
 * loader) when its host is one our policy allows: a `network` tutorial's images are served to
 * allowed instances' signed fetches only (ADR 0126). Redirects are followed here, each hop signed
 * for its own target (a signature covers the request target and host).
 */
async function download(
  runtime: FederationRuntime,
  url: string,
): Promise<Result<{ data: Buffer; type: string }, MediaRefusal>> {
  let target = new URL(url);
  for (let hop = 0; ; hop++) {
    let request = new Request(target, {
      headers: { accept: "image/webp,image/png,image/jpeg,image/gif;q=0.8" },
      redirect: "manual",
    });
    if (await runtime.policy.allows(target.host)) request = await signed(runtime, request);
    const response = await fetch(request);
    const location = response.headers.get("location");
    if (response.status >= 300 && response.status < 400 && location) {
      await response.body?.cancel();
      if (hop >= MAX_HOPS) return fail("status");
      target = new URL(location, target);
      if (!/^https?:$/.test(target.protocol)) return fail("status");
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      return fail("status");
    }
    const length = Number(response.headers.get("content-length") ?? "0");
    if (length > OUTGOING_LIMITS.mediaBytes) {
      await response.body?.cancel();
      return fail("tooLarge");
    }
    const data = Buffer.from(await response.arrayBuffer());
    return ok({ data, type: response.headers.get("content-type") ?? "" });
  }
}

async function signed(runtime: FederationRuntime, request: Request): Promise<Request> {
  const [rsa] = await runtime.keys.pairs(INSTANCE_ACTOR);
  if (!rsa) return request;
  const keyId = new URL("#main-key", actorUri(runtime.app.config.publicUrl, INSTANCE_ACTOR));
  return signRequest(request, rsa.privateKey, keyId);
}

function tooLarge(error: unknown): boolean {
  for (let e = error; e && typeof e === "object"; e = (e as { cause?: unknown }).cause)
    if ((e as { code?: unknown }).code === "UND_ERR_RES_EXCEEDED_MAX_SIZE") return true;
  return false;
}

/** Runs the job: fetches, checks, re-encodes and keeps the picture `key` (once). */
export async function fetchMedia(runtime: FederationRuntime, key: string): Promise<void> {
  const { db, config, log } = runtime.app;
  const row = await findMedia(db, key);
  if (!row || row.state !== "pending") return;
  const done = async (result: Result<Encoded, MediaRefusal>) => {
    if (!result.ok) {
      log.info({ key, url: row.url, reason: result.error }, "media: remote picture refused");
      await db
        .updateTable("federation_media")
        .set({ state: "failed", error: result.error, fetched_at: new Date() })
        .where("key", "=", key)
        .execute();
      return;
    }
    const file = mediaFile(config.dataDir, key);
    await mkdir(path.dirname(file), { recursive: true });
    // Written aside then renamed: a reader never gets half a file.
    await writeFile(`${file}.tmp`, result.value.data);
    await rename(`${file}.tmp`, file);
    await db
      .updateTable("federation_media")
      .set({
        state: "ready",
        content_type: "image/webp",
        width: result.value.width,
        height: result.value.height,
        bytes: result.value.data.length,
        error: null,
        fetched_at: new Date(),
      })
      .where("key", "=", key)
      .execute();
  };
  let downloaded: Result<{ data: Buffer; type: string }, MediaRefusal>;
  try {
    downloaded = await runtime.withMediaFetch(() => download(runtime, row.url));
  } catch (error) {
    // Over the size limit, the agent aborts the body: that is final, not worth a retry.
    if (tooLarge(error)) return done(fail("tooLarge"));
    throw error;
  }
  if (!downloaded.ok) return done(downloaded);
  await done(await encodeMedia(downloaded.value.data, downloaded.value.type, row.size));
}
