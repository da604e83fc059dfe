import type { Generated } from "kysely";
import type { CreatedAt, Json, NullableTimestamp } from "../server/db/types.ts";
import type { ObjectExtras } from "./extras.ts";

export type DomainPolicyKind = "allow" | "block";
export type FollowDirection = "outgoing" | "incoming";
export type FollowState = "pending" | "accepted" | "rejected";
export type DeliveryStatus = "pending" | "failing" | "delivered" | "dead";
export type KeyAlgorithm = "RSASSA-PKCS1-v1_5" | "Ed25519";

export interface FederationTables {
  federation_kv: {
    key: string;
    value: Json<unknown>;
    expires_at: NullableTimestamp;
  };
  federation_keys: {
    actor: string;
    algorithm: KeyAlgorithm;
    public_jwk: Json<JsonWebKey>;
    private_jwk: Json<JsonWebKey>;
    created_at: CreatedAt;
  };
  federation_domains: {
    domain: string;
    policy: DomainPolicyKind;
    source: Generated<"config" | "admin" | "hub">;
    created_by: string | null;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  federation_remote_actors: {
    id: Generated<number>;
    uri: string;
    host: string;
    type: string;
    username: string;
    name: Generated<string>;
    summary: Generated<string>;
    url: string | null;
    icon_url: string | null;
    image_url: Generated<string | null>;
    inbox: string;
    shared_inbox: string | null;
    outbox: string | null;
    followers_url: string | null;
    accepts_ed25519: Generated<boolean>;
    fetched_at: CreatedAt;
    created_at: CreatedAt;
  };
  federation_follows: {
    id: Generated<number>;
    local_actor: string;
    local_user_id: string | null;
    remote_actor_id: number;
    direction: FollowDirection;
    state: FollowState;
    activity_id: string;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  federation_outbox: {
    id: Generated<number>;
    actor: string;
    activity_id: string;
    activity_type: string;
    activity: Json<unknown>;
    to_followers: boolean;
    recipients: Json<string[]>;
    public: boolean;
    object_extras: Json<ObjectExtras> | null;
    dispatched_at: NullableTimestamp;
    created_at: CreatedAt;
  };
  federation_deliveries: {
    id: string;
    host: string;
    inbox: string;
    activity_id: string | null;
    activity_type: string;
    status: DeliveryStatus;
    attempts: number;
    last_error: string | null;
    message: Json<Record<string, unknown>>;
    next_attempt_at: NullableTimestamp;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  /** A fan-out's activity, once for all its delivery rows (ADR 0156). */
  federation_delivery_payloads: {
    hash: string;
    activity: Json<unknown>;
    created_at: CreatedAt;
  };
  /** Our copies of remote pictures (federation/media, ADR 0161). */
  federation_media: {
    key: string;
    url: string;
    size: string;
    state: Generated<"pending" | "ready" | "failed">;
    content_type: string | null;
    width: number | null;
    height: number | null;
    bytes: number | null;
    error: string | null;
    created_at: CreatedAt;
    fetched_at: NullableTimestamp;
  };
  federation_remote_notes: {
    uri: string;
    actor_id: number;
    content: string;
    summary: Generated<string>;
    url: string | null;
    published_at: Date;
    created_at: CreatedAt;
    /** `Note`, or the type of an object shown as a link card (`Video`, `Article`…). */
    kind: Generated<string>;
    name: Generated<string | null>;
    image_url: Generated<string | null>;
  };
  /** How far the last reading of an actor's outbox went, per kind of object (offers…). */
  federation_backfills: {
    remote_actor_id: number;
    kind: string;
    total: number;
    done: Generated<number>;
    started_at: CreatedAt;
    finished_at: NullableTimestamp;
  };
}

export type HubMemberState = "pending" | "accepted" | "suspended";

/** The CCAS hub's network (federation/hub, ADR 0120): members on the hub, the link on a member. */
export interface HubTables {
  hub_members: {
    host: string;
    actor_uri: string;
    name: Generated<string>;
    state: Generated<HubMemberState>;
    join_activity_id: string;
    requested_at: CreatedAt;
    decided_at: NullableTimestamp;
    cmcas_actor_uri: string | null;
  };
  hub_link: {
    id: Generated<number>;
    hub_url: string;
    join_activity_id: string | null;
    requested_at: NullableTimestamp;
    trust_list: Generated<boolean>;
    list_json: string | null;
    list_updated_at: NullableTimestamp;
    list_fetched_at: NullableTimestamp;
    last_error: string | null;
    last_attempt_at: NullableTimestamp;
    share_aggregates: Generated<boolean>;
  };
}

declare module "../server/db/schema.ts" {
  interface Database extends FederationTables, HubTables {}
}
