// The attachments of an incoming object (Note, Page, Article, Event): pictures are shown inline
// through our own copy, with their alt text (`name`); other attachments (a link post's link, a
// video file) stay links. Mastodon-like software sends pictures as `Document` with an image
// `mediaType`, forum and event software as `Image`; a picture's `url` may be a `Link`.
import { Document, Image, Link, type Object as ApObject } from "@fedify/vocab";
import type { Logger } from "pino";
import type { AppContext } from "../../server/context.ts";
import { tolerate } from "../tolerate.ts";
import { wantMedia } from "./media.ts";

const MAX_PICTURES = 8;
const MAX_LINKS = 4;

export interface Picture {
  url: string;
  alt: string;
}

export interface Attachments {
  pictures: Picture[];
  links: string[];
}

function httpUrl(value: unknown): string | undefined {
  const url = value instanceof URL ? value : value instanceof Link ? value.href : undefined;
  return url && /^https?:$/.test(url.protocol) ? url.href : undefined;
}

function isPicture(item: unknown): item is Image | Document {
  if (item instanceof Image) return true;
  return item instanceof Document && /^image\//i.test(item.mediaType ?? "");
}

/** The object's `image`, without fetching it as a document when it is only a URL. */
async function imageUrlOf(object: ApObject): Promise<string | undefined> {
  if (object.imageId) return httpUrl(object.imageId);
  const image = await object.getImage({ suppressError: true });
  return image ? httpUrl(image.url) : undefined;
}

/**
 * What an object carries as attachments; unreadable ones are skipped (logged). A post shows up to
 * 8 pictures; a tutorial (an Article of many steps) asks for more.
 */
export async function attachmentsOf(
  object: ApObject,
  log: Logger,
  maxPictures = MAX_PICTURES,
): Promise<Attachments> {
  const out: Attachments = { pictures: [], links: [] };
  const read = async () => {
    // Lemmy's picture posts: a Link attachment to the same URL as the post's `image`.
    const image = await imageUrlOf(object);
    for await (const item of object.getAttachments({ suppressError: true })) {
      const linked = item instanceof Link ? httpUrl(item.href) : undefined;
      if (
        linked &&
        (linked === image || /^image\//i.test(item instanceof Link ? (item.mediaType ?? "") : ""))
      ) {
        if (out.pictures.length < maxPictures && !out.pictures.some((p) => p.url === linked))
          out.pictures.push({ url: linked, alt: (item as Link).name?.toString().trim() ?? "" });
        continue;
      }
      if (isPicture(item)) {
        const url = httpUrl(item.url);
        if (url && out.pictures.length < maxPictures && !out.pictures.some((p) => p.url === url))
          out.pictures.push({ url, alt: (item.name ?? item.summary)?.toString().trim() ?? "" });
        continue;
      }
      const url =
        item instanceof Link
          ? httpUrl(item.href)
          : item instanceof Document
            ? httpUrl(item.url)
            : undefined;
      if (url && out.links.length < MAX_LINKS && !out.links.includes(url)) out.links.push(url);
    }
    return true;
  };
  await tolerate(read(), false, log, "reading attachments");
  return out;
}

const escapeHtml = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/**
 * The pictures as HTML: each one our copy (asked for now, fetched by a job), with its alt text;
 * while the copy is not there the browser shows the alt text in its place.
 */
export async function picturesHtml(
  app: Pick<AppContext, "db" | "queue" | "log">,
  pictures: readonly Picture[],
): Promise<string> {
  const parts: string[] = [];
  for (const picture of pictures) {
    const src = await wantMedia(app, picture.url, "picture");
    if (!src) continue;
    parts.push(
      `<figure class="remote-picture"><img src="${src}" alt="${escapeHtml(picture.alt)}" loading="lazy"></figure>`,
    );
  }
  return parts.join("");
}

export function linksHtml(links: readonly string[]): string {
  return links
    .map((h) => `<p><a href="${h.replace(/"/g, "%22")}">${escapeHtml(h)}</a></p>`)
    .join("");
}
