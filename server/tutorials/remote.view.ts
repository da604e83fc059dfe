// What the page shows of a tutorial received from a followed CMCAS (ADR 0117): the content as its
// instance rendered it (every step, its images from our own copies with their alt text, ADR 0119),
// its cover, who wrote it, its territory and a link to the original.
import { decodeAttribute, remoteContentForPage } from "./remote-html.ts";
import type { findRemoteDetails, Tutorial } from "./tutorials.repo.ts";

type TFunction = (key: string, values?: Record<string, unknown>) => string;
type Details = NonNullable<Awaited<ReturnType<typeof findRemoteDetails>>>;

/** Our Articles open with the summary, which the page already shows above: said once. */
function withoutSummary(html: string, summary: string): string {
  const first = /^<p>([^<]*)<\/p>/.exec(html);
  return first && summary.trim() !== "" && decodeAttribute(first[1]!).trim() === summary.trim()
    ? html.slice(first[0].length)
    : html;
}

/** Our copy of a remote picture (`/media/<key>`), and nothing else a record may hold. */
function isCopy(media: string | null | undefined): media is string {
  return typeof media === "string" && /^\/media\/[0-9a-f]{64}$/.test(media);
}

export function remoteView(tutorial: Tutorial, details: Details, t: TFunction) {
  const content = withoutSummary(details.contentHtml, tutorial.summary);
  const copies = new Map(
    details.images.filter((image) => isCopy(image.media)).map((image) => [image.url, image.media]),
  );
  const contentHtml = remoteContentForPage(
    content,
    (alt) => (alt ? t("tutorials:remote.image", { alt }) : t("tutorials:remote.imageNoAlt")),
    (src) => copies.get(src),
  );
  const cover = details.images.find((image) => image.cover && isCopy(image.media));
  // Kept before the content held its images (ADR 0115 stored them apart only): listed below it.
  const inline =
    contentHtml.includes("tuto-remote-image") || contentHtml.includes('<img src="/media/');
  return {
    territory: tutorial.territory,
    url: tutorial.remoteUrl ?? tutorial.remoteUri,
    authorName: details.authorName,
    authorUrl: details.authorUrl,
    contentHtml,
    cover: cover && { src: cover.media, alt: cover.alt },
    images: inline
      ? []
      : details.images
          .filter((image) => !image.cover && /^https?:\/\//.test(image.url))
          .map((image) => ({
            url: image.url,
            src: isCopy(image.media) ? image.media : undefined,
            alt: image.alt,
            label: image.alt
              ? t("tutorials:remote.image", { alt: image.alt })
              : t("tutorials:remote.imageNoAlt"),
          })),
  };
}
