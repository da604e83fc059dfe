import type { ColumnType, Generated } from "kysely";
import type { CreatedAt, Json, NullableTimestamp, Timestamp } from "../db/types.ts";

export type OfferStatus = "draft" | "published" | "cancelled" | "completed";
export const OFFER_STATUSES: readonly OfferStatus[] = [
  "draft",
  "published",
  "cancelled",
  "completed",
];
export type Visibility = "public" | "network" | "local";
export const VISIBILITIES: readonly Visibility[] = ["public", "network", "local"];
export type Audience = "familles" | "jeunes" | "pensionnes" | "tous";
export const AUDIENCES: readonly Audience[] = ["tous", "familles", "jeunes", "pensionnes"];
export type LocationKind = "place" | "online";
export type RegistrationStatus = "pending" | "confirmed" | "waitlisted" | "cancelled";

/** One band of the social coefficient and its price; `upTo` null is the last, open band. */
export interface PriceTier {
  upTo: number | null;
  /** In euro cents. */
  price: number;
}

export interface OfferTables {
  offer_categories: {
    id: Generated<string>;
    slug: string;
    name_fr: string;
    name_en: string;
    position: Generated<number>;
    archived_at: NullableTimestamp;
    created_at: CreatedAt;
  };
  offer_settings: {
    id: Generated<number>;
    last_minute_days: Generated<number>;
    reminder_days: Generated<number>;
  };
  offers: {
    id: Generated<string>;
    title: string;
    summary: Generated<string>;
    description_html: Generated<string>;
    description_text: Generated<string>;
    category_id: string;
    audiences: ColumnType<Audience[], Audience[] | undefined, Audience[]>;
    starts_at: Timestamp;
    ends_at: Timestamp;
    timezone: Generated<string>;
    registration_opens_at: NullableTimestamp;
    registration_closes_at: NullableTimestamp;
    cancellation_deadline: NullableTimestamp;
    location_kind: Generated<LocationKind>;
    address: Generated<string>;
    postal_code: string | null;
    city: Generated<string>;
    latitude: number | null;
    longitude: number | null;
    online_url: string | null;
    capacity: number;
    max_persons_per_registration: Generated<number>;
    min_age: number | null;
    max_age: number | null;
    price_tiers: Json<PriceTier[]>;
    min_price_cents: Generated<number>;
    organiser_slvie_id: string | null;
    status: Generated<OfferStatus>;
    visibility: Generated<Visibility>;
    places_taken: Generated<number>;
    last_minute_announced_at: NullableTimestamp;
    cancellation_reason: string | null;
    created_by: string | null;
    created_at: CreatedAt;
    updated_at: CreatedAt;
    published_at: NullableTimestamp;
    search: ColumnType<string, never, never>;
    /** Offers of another instance (federation): their Event's id, publisher and page. */
    remote_uri: Generated<string | null>;
    remote_actor_id: Generated<number | null>;
    remote_url: Generated<string | null>;
    /** Our copy of its picture (`/media/<key>`) and the picture's alt text (migration 0163). */
    remote_image: Generated<string | null>;
    remote_image_alt: Generated<string | null>;
  };
  offer_images: {
    id: Generated<string>;
    offer_id: string;
    data: Buffer;
    content_type: string;
    alt: Generated<string>;
    position: Generated<number>;
    created_at: CreatedAt;
    /** Re-encoded without metadata, with its variants (ADR 0086); false for older uploads. */
    processed: Generated<boolean>;
  };
  /** Sized copies of an offer image (ADR 0086). */
  offer_image_variants: {
    image_id: string;
    size: "card" | "page" | "federation";
    content_type: string;
    width: number;
    height: number;
    data: Buffer;
  };
  offer_registrations: {
    id: Generated<string>;
    seq: ColumnType<number, never, never>;
    offer_id: string;
    user_id: string | null;
    actor_url: string | null;
    actor_name: string | null;
    actor_instance: string | null;
    persons: number;
    status: RegistrationStatus;
    cancelled_by: "member" | "staff" | "offer" | null;
    added_by_staff: Generated<boolean>;
    attended: boolean | null;
    reminded_at: NullableTimestamp;
    created_at: CreatedAt;
    confirmed_at: NullableTimestamp;
    cancelled_at: NullableTimestamp;
    /** The Join that carries a registration across instances (either side). */
    join_activity_id: Generated<string | null>;
    /** Why the home instance refused a registration of one of our members. */
    refusal: Generated<string | null>;
    remote_position: Generated<number | null>;
  };
  offer_registration_persons: {
    id: Generated<string>;
    registration_id: string;
    is_member: Generated<boolean>;
    family_member_id: string | null;
    first_name: Generated<string>;
    birth_year: number | null;
  };
  offer_category_subscriptions: {
    user_id: string;
    category_id: string;
    created_at: CreatedAt;
  };
  offer_last_minute_notices: {
    offer_id: string;
    user_id: string;
    created_at: CreatedAt;
  };
  offer_calendar_feeds: {
    user_id: string;
    token: string;
    created_at: CreatedAt;
  };
  offer_messages: {
    id: Generated<string>;
    offer_id: string;
    sender_id: string | null;
    body: string;
    recipients: number;
    created_at: CreatedAt;
  };
  offer_tombstones: {
    offer_id: string;
    deleted_at: CreatedAt;
  };
  postal_codes: {
    code: string;
    commune: string;
    latitude: number;
    longitude: number;
    precise: boolean;
  };
}

declare module "../db/schema.ts" {
  interface Database extends OfferTables {}
}
