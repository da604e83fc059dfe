// What the pages show of a tutorial: labels in the reader's language, durations, costs.
type TFunction = (key: string, values?: Record<string, unknown>) => string;
import { lines } from "./tutorials.forms.ts";
import type { Category, ImageRef, Step, Tutorial } from "./tutorials.repo.ts";

export const categoryLabel = (c: { nameFr: string; nameEn: string }, lang: string) =>
  lang === "en" ? c.nameEn : c.nameFr;

export function durationLabel(minutes: number | null, t: TFunction): string | undefined {
  if (minutes === null) return undefined;
  if (minutes < 60) return t("tutorials:duration.minutes", { count: minutes });
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0
    ? t("tutorials:duration.hours", { count: hours })
    : t("tutorials:duration.hoursMinutes", { hours, minutes: rest });
}

export function costLabel(cents: number | null, lang: string, t: TFunction): string | undefined {
  if (cents === null) return undefined;
  if (cents === 0) return t("tutorials:cost.free");
  return new Intl.NumberFormat(lang === "en" ? "en-GB" : "fr-FR", {
    style: "currency",
    currency: "EUR",
  }).format(cents / 100);
}

/** A card of the lists. */
export function cardView(tutorial: Tutorial, lang: string, t: TFunction) {
  return {
    id: tutorial.id,
    title: tutorial.title,
    summary: tutorial.summary,
    cover: tutorial.coverImageId,
    remoteCover: tutorial.remoteCover,
    category: categoryLabel({ nameFr: tutorial.categoryFr, nameEn: tutorial.categoryEn }, lang),
    difficulty: t(`tutorials:difficulty.${tutorial.difficulty}`),
    duration: durationLabel(tutorial.durationMinutes, t),
    author: tutorial.authorName,
    madeCount: tutorial.madeCount,
    usefulCount: tutorial.usefulCount,
    status: tutorial.status,
    publishedAt: tutorial.publishedAt,
    /** A followed CMCAS's name for a tutorial received from it; null for ours. */
    territory: tutorial.territory,
  };
}

/** The whole tutorial, steps with their images, as the page and the booklet show it. */
export function pageView(
  tutorial: Tutorial,
  steps: Step[],
  images: ImageRef[],
  lang: string,
  t: TFunction,
) {
  return {
    ...cardView(tutorial, lang, t),
    categorySlug: tutorial.categorySlug,
    tags: tutorial.tags,
    cost: costLabel(tutorial.costCents, lang, t),
    materials: lines(tutorial.materials),
    tools: lines(tutorial.tools),
    licence: t(`tutorials:licence.${tutorial.licence}`),
    licenceCode: tutorial.licence,
    visibility: t(`tutorials:visibility.${tutorial.visibility}`),
    authorUsername: tutorial.authorUsername,
    removalReason: tutorial.removalReason,
    viewCount: tutorial.viewCount,
    updatedAt: tutorial.updatedAt,
    coverAlt: images.find((i) => i.id === tutorial.coverImageId)?.alt ?? "",
    steps: steps.map((s) => ({
      ...s,
      images: images.filter((i) => i.stepId === s.id),
    })),
  };
}

export const categoryOptions = (categories: Category[], lang: string) =>
  categories.map((c) => ({ value: c.id, slug: c.slug, label: categoryLabel(c, lang) }));
