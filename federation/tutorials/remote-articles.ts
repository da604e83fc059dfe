// An Article of a CMCAS we follow, kept in our library through the tutorials' service: by the
// inbox (its Create or Update) and by the backfill of the CMCAS's outbox (ADR 0115, ADR 0117).
// Its author's name and page come from the actor it is attributed to.
import type { Context } from "@fedify/fedify";
import type { Article } from "@fedify/vocab";
import type { Logger } from "pino";
import { contentImages } from "../../server/tutorials/remote-html.ts";
import { saveRemoteTutorial } from "../../server/tutorials/remote.service.ts";
import type { RemoteImage } from "../../server/tutorials/tutorials.tables.ts";
import { resolveRemoteActor, type RemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { rawDocument } from "../inbox/raw.ts";
import { attachmentsOf } from "../media/attachments.ts";
import { wantMedia } from "../media/media.ts";
import { tolerate } from "../tolerate.ts";
import { readTutorialTerms } from "./article-terms.ts";

type Json = Record<string, unknown>;

/** As many as a tutorial holds (ours: 6 per step, and the cover). */
const MAX_IMAGES = 200;

/** The Article's `image`, without fetching it as a document when it is only a URL. */
async function coverOf(article: Article): Promise<{ url: string; alt: string } | undefined> {
  if (article.imageId) return { url: article.imageId.href, alt: "" };
  const image = await article.getImage({ suppressError: true });
  const url = image?.url instanceof URL ? image.url : undefined;
  return url && { url: url.href, alt: image?.name?.toString().trim() ?? "" };
}

/**
 * Its cover, its attachments and the images of its content, each with its alt text and our copy
 * (ADR 0119): asked for now, fetched by a job, so the page shows them from this host.
 */
async function articleImages(
  deps: FederationDeps,
  article: Article,
  log: Logger,
): Promise<RemoteImage[]> {
  const found: RemoteImage[] = [];
  const add = (url: string, alt: string, cover = false) => {
    const known = found.find((image) => image.url === url);
    if (known) {
      known.alt ||= alt;
      known.cover ||= cover;
    } else if (found.length < MAX_IMAGES && /^https?:\/\//.test(url))
      found.push({ url, alt, ...(cover ? { cover } : {}) });
  };
  const cover = await tolerate(coverOf(article), undefined, log, "reading the cover");
  // The attachments (Image, or a Document or Link of an image type) in their order.
  const attachments = await attachmentsOf(article, log, MAX_IMAGES);
  for (const picture of attachments.pictures) add(picture.url, picture.alt);
  for (const image of contentImages(article.content?.toString() ?? "")) add(image.url, image.alt);
  if (cover) add(cover.url, cover.alt, true);
  for (const image of found) image.media = await wantMedia(deps.app, image.url, "picture");
  return found;
}

/**
 * Keeps `article`, sent or published by `publisher`; false when it is not its server's own. `raw`
 * is the Article as received when the activity embedded it (Fedify's Article drops our terms).
 */
export async function keepArticle(
  deps: FederationDeps,
  fctx: Context<void>,
  publisher: RemoteActor,
  article: Article,
  log: Logger,
  raw?: Json,
): Promise<boolean> {
  if (!article.id || article.id.host !== publisher.host) return false;
  const terms = readTutorialTerms(raw ?? rawDocument(article));
  const images = await articleImages(deps, article, log);
  const tags: string[] = [];
  for await (const tag of article.getTags({ suppressError: true }))
    if (tag.name) tags.push(tag.name.toString().replace(/^#/, ""));
  // The author, when it is an actor of the same server; the publisher's name otherwise.
  const authorUri = article.attributionId;
  const author =
    authorUri && authorUri.host === publisher.host
      ? await tolerate(
          resolveRemoteActor(deps.app.db, fctx, authorUri, log),
          undefined,
          log,
          "reading the tutorial's author",
        )
      : undefined;
  const url = article.url instanceof URL ? article.url.href : article.id.href;
  const published = article.published ?? article.updated;
  await deps.app.transaction((tx) =>
    saveRemoteTutorial(tx, publisher.id, {
      uri: article.id!.href,
      url,
      title: article.name?.toString() ?? "",
      summary: article.summary?.toString() ?? "",
      contentHtml: article.content?.toString() ?? "",
      tags,
      images,
      territory: publisher.name || publisher.host,
      authorName: author ? author.name || author.handle : null,
      authorUrl: author ? (author.url ?? author.uri) : null,
      publishedAt: published ? new Date(published.epochMilliseconds) : new Date(),
      ...terms,
    }),
  );
  return true;
}
