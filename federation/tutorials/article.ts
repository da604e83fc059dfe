// A tutorial as an ActivityStreams `Article` (ADR 0115): name, summary, content with every step
// rendered (its title, text and images with their alt text), the cover as `image`, every step
// image again as an `attachment` (Mastodon-like software shows attachments, not inline images),
// tags as Hashtags, the author's actor in `attributedTo`, and `context` naming its conversation.
import "../temporal.ts";
import { Article, Hashtag, Image, PUBLIC_COLLECTION } from "@fedify/vocab";
import type { Db } from "../../server/db/database.ts";
import type { ObjectExtras } from "../extras.ts";
import { MAILLAGE_NS } from "../offers/event.ts";
import { actorUri, CMCAS_ACTOR } from "../uris.ts";

export function tutorialUri(publicUrl: URL, id: string): URL {
  return new URL(`/tutorials/${id}`, publicUrl);
}

/** What an Article needs: the tutorial (ours, not a copy of a remote one), its steps and images. */
export async function federatedTutorial(db: Db, id: string) {
  const tutorial = await db
    .selectFrom("tutorials")
    .selectAll()
    .where("id", "=", id)
    .where("remote_uri", "is", null)
    .executeTakeFirst();
  if (!tutorial) return undefined;
  const [category, steps, images] = await Promise.all([
    db
      .selectFrom("tutorial_categories")
      .select(["slug", "name_fr"])
      .where("id", "=", tutorial.category_id)
      .executeTakeFirst(),
    db
      .selectFrom("tutorial_steps")
      .select(["id", "title", "content_html", "video_url"])
      .where("tutorial_id", "=", id)
      .orderBy("position")
      .execute(),
    db
      .selectFrom("tutorial_images")
      .select(["id", "step_id", "alt"])
      .where("tutorial_id", "=", id)
      .where("made_id", "is", null)
      .orderBy("position")
      .orderBy("created_at")
      .execute(),
  ]);
  return { tutorial, category, steps, images };
}
export type FederatedTutorial = NonNullable<Awaited<ReturnType<typeof federatedTutorial>>>;

/** Published and not kept to this instance. */
export function isFederated(t: FederatedTutorial["tutorial"]): boolean {
  return t.status === "published" && t.visibility !== "local";
}

/** Text and attribute values inside the HTML we write. */
function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

const instant = (d: Date) => Temporal.Instant.fromEpochMilliseconds(d.getTime());

function imageUrl(publicUrl: URL, tutorialId: string, imageId: string): URL {
  return new URL(`/tutorials/${tutorialId}/images/${imageId}/federation`, publicUrl);
}

/** Every step as HTML: a heading, its text, its images with their alt text, its video link. */
function stepsHtml(publicUrl: URL, data: FederatedTutorial): string {
  const { tutorial, steps, images } = data;
  return steps
    .map((step, i) => {
      const pictures = images
        .filter((image) => image.step_id === step.id)
        .map(
          (image) =>
            `<p><img src="${imageUrl(publicUrl, tutorial.id, image.id).href}" alt="${escapeHtml(image.alt)}"></p>`,
        )
        .join("");
      const video = step.video_url
        ? `<p><a href="${escapeHtml(step.video_url)}">${escapeHtml(step.video_url)}</a></p>`
        : "";
      return `<h2>${i + 1}. ${escapeHtml(step.title)}</h2>${step.content_html}${pictures}${video}`;
    })
    .join("");
}

export function tutorialArticle(publicUrl: URL, data: FederatedTutorial): Article {
  const { tutorial, images } = data;
  const id = tutorialUri(publicUrl, tutorial.id);
  const followers = new URL(`${actorUri(publicUrl, CMCAS_ACTOR).href}/followers`);
  const isPublic = tutorial.visibility === "public";
  const cover = images.find((image) => image.id === tutorial.cover_image_id);
  const summary = tutorial.summary ? `<p>${escapeHtml(tutorial.summary)}</p>` : "";
  return new Article({
    id,
    url: id,
    attribution: tutorial.author_id
      ? actorUri(publicUrl, tutorial.author_id)
      : actorUri(publicUrl, CMCAS_ACTOR),
    name: tutorial.title,
    summary: tutorial.summary || null,
    content: summary + stepsHtml(publicUrl, data),
    contexts: [new URL(`${id.href}#conversation`)],
    published: tutorial.published_at ? instant(tutorial.published_at) : null,
    updated: instant(tutorial.updated_at),
    tos: isPublic ? [PUBLIC_COLLECTION] : [followers],
    ccs: isPublic ? [followers] : [],
    image: cover
      ? new Image({
          url: imageUrl(publicUrl, tutorial.id, cover.id),
          mediaType: "image/jpeg",
          name: cover.alt || null,
        })
      : null,
    attachments: images.map(
      (image) =>
        new Image({
          url: imageUrl(publicUrl, tutorial.id, image.id),
          mediaType: "image/jpeg",
          name: image.alt || null,
        }),
    ),
    tags: tutorial.tags.map(
      (tag) =>
        new Hashtag({
          name: `#${tag}`,
          href: new URL(`/tutorials?tag=${encodeURIComponent(tag)}`, publicUrl),
        }),
    ),
  });
}

/**
 * What Fedify's Article does not carry (ADR 0118): the category (our slug, and its French name for
 * an instance whose taxonomy differs), the difficulty, the time needed and the cost estimate, under
 * our namespace; `category` is schema.org's, as on our Events.
 */
export const TUTORIAL_CONTEXT: Record<string, unknown> = {
  sc: "http://schema.org#",
  maillage: MAILLAGE_NS,
  category: "sc:category",
  categoryName: "maillage:categoryName",
  difficulty: "maillage:difficulty",
  durationMinutes: "maillage:durationMinutes",
  costEuros: "maillage:costEuros",
};

export function tutorialExtras(data: FederatedTutorial): ObjectExtras {
  const { tutorial, category } = data;
  const fields: Record<string, unknown> = {
    category: category?.slug ?? null,
    categoryName: category?.name_fr ?? null,
    difficulty: tutorial.difficulty,
    durationMinutes: tutorial.duration_minutes,
    // Euros as a decimal string, as the offers' prices (schema.org's way).
    costEuros: tutorial.cost_cents === null ? null : (tutorial.cost_cents / 100).toFixed(2),
  };
  for (const key of Object.keys(fields)) if (fields[key] === null) delete fields[key];
  return { context: TUTORIAL_CONTEXT, fields };
}
