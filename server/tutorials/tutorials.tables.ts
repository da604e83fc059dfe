import type { Generated } from "kysely";
import type { CreatedAt, NullableTimestamp } from "../db/types.ts";

export type Difficulty = "facile" | "moyen" | "difficile";
export const DIFFICULTIES: readonly Difficulty[] = ["facile", "moyen", "difficile"];
export type Licence = "cc-by-sa-4.0" | "cc-by-4.0" | "cc-by-nc-sa-4.0" | "all-rights-reserved";
export const LICENCES: readonly Licence[] = [
  "cc-by-sa-4.0",
  "cc-by-4.0",
  "cc-by-nc-sa-4.0",
  "all-rights-reserved",
];
export type TutorialStatus = "draft" | "published" | "removed";
export type TutorialVisibility = "public" | "network" | "local";
export const TUTORIAL_VISIBILITIES: readonly TutorialVisibility[] = ["public", "network", "local"];

/**
 * An image of a remote tutorial: where it lives, its alt text, and our copy's path (`/media/<key>`,
 * ADR 0119) when it was asked for on receipt; `cover` for the Article's `image`.
 */
export interface RemoteImage {
  url: string;
  alt: string;
  media?: string | null;
  cover?: boolean;
}

export interface TutorialTables {
  tutorial_categories: {
    id: Generated<string>;
    slug: string;
    name_fr: string;
    name_en: string;
    position: Generated<number>;
    archived_at: NullableTimestamp;
    created_at: CreatedAt;
  };
  tutorials: {
    id: Generated<string>;
    title: string;
    summary: Generated<string>;
    category_id: string;
    tags: Generated<string[]>;
    difficulty: Generated<Difficulty>;
    duration_minutes: number | null;
    cost_cents: number | null;
    materials: Generated<string>;
    tools: Generated<string>;
    licence: Generated<Licence>;
    status: Generated<TutorialStatus>;
    visibility: Generated<TutorialVisibility>;
    author_id: string | null;
    cover_image_id: string | null;
    removal_reason: string | null;
    view_count: Generated<number>;
    made_count: Generated<number>;
    useful_count: Generated<number>;
    search: Generated<unknown>;
    created_at: CreatedAt;
    updated_at: CreatedAt;
    published_at: NullableTimestamp;
    topic_id: string | null;
    offer_id: string | null;
    remote_uri: Generated<string | null>;
    remote_actor_id: Generated<number | null>;
    remote_url: Generated<string | null>;
    territory: Generated<string | null>;
    remote_content_html: Generated<string | null>;
    remote_images: Generated<RemoteImage[]>;
    remote_author_name: Generated<string | null>;
    remote_author_url: Generated<string | null>;
  };
  tutorial_forum: {
    id: Generated<number>;
    group_id: string | null;
  };
  tutorial_favourites: {
    tutorial_id: string;
    user_id: string;
    created_at: CreatedAt;
  };
  tutorial_useful: {
    tutorial_id: string;
    user_id: string;
    created_at: CreatedAt;
    /** The Like that carried the vote to a remote tutorial's instance. */
    ap_id: Generated<string | null>;
  };
  tutorial_remote_useful: {
    tutorial_id: string;
    actor_uri: string;
    ap_id: string | null;
    created_at: CreatedAt;
  };
  tutorial_made: {
    id: Generated<string>;
    tutorial_id: string;
    author_id: string | null;
    body: string;
    removed_at: NullableTimestamp;
    removal_reason: string | null;
    created_at: CreatedAt;
    ap_id: Generated<string | null>;
    author_ap_id: Generated<string | null>;
    author_name: Generated<string | null>;
    author_url: Generated<string | null>;
    remote_image_url: Generated<string | null>;
    remote_image_alt: Generated<string | null>;
  };
  offer_album_photos: {
    id: Generated<string>;
    offer_id: string;
    author_id: string | null;
    caption: Generated<string>;
    alt: string;
    public: Generated<boolean>;
    content_type: string | null;
    data: Buffer | null;
    removed_at: NullableTimestamp;
    removal_reason: string | null;
    created_at: CreatedAt;
    remote_uri: Generated<string | null>;
    remote_actor_url: Generated<string | null>;
    remote_author_name: Generated<string | null>;
    remote_media: Generated<string | null>;
  };
  offer_album_variants: {
    photo_id: string;
    size: "card" | "page" | "federation";
    content_type: string;
    width: number;
    height: number;
    data: Buffer;
  };
  tutorial_contests: {
    id: Generated<string>;
    title: string;
    theme: Generated<string>;
    rules: Generated<string>;
    prizes: Generated<string>;
    submissions_end_at: Date;
    votes_end_at: Date;
    created_by: string | null;
    created_at: CreatedAt;
  };
  tutorial_contest_entries: {
    contest_id: string;
    tutorial_id: string;
    entered_by: string | null;
    created_at: CreatedAt;
  };
  tutorial_contest_votes: {
    contest_id: string;
    voter_id: string;
    tutorial_id: string;
    created_at: CreatedAt;
  };
  tutorial_coauthors: {
    tutorial_id: string;
    user_id: string;
    created_at: CreatedAt;
  };
  tutorial_steps: {
    id: Generated<string>;
    tutorial_id: string;
    position: number;
    title: string;
    source: Generated<string>;
    content_html: Generated<string>;
    text_plain: Generated<string>;
    video_url: string | null;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  tutorial_images: {
    id: Generated<string>;
    tutorial_id: string;
    step_id: string | null;
    position: Generated<number>;
    made_id: string | null;
    alt: string;
    content_type: string;
    data: Buffer;
    created_at: CreatedAt;
  };
  tutorial_image_variants: {
    image_id: string;
    size: "card" | "page" | "federation";
    content_type: string;
    width: number;
    height: number;
    data: Buffer;
  };
}

declare module "../db/schema.ts" {
  interface Database extends TutorialTables {}
}
