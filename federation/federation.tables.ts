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
    source: Generated<"config" | "admin">;
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
    inbox: string;
    shared_inbox: string | null;
    outbox: string | null;
    followers_url: string | null;
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
  federation_remote_notes: {
    uri: string;
    actor_id: number;
    content: string;
    summary: Generated<string>;
    url: string | null;
    published_at: Date;
    created_at: CreatedAt;
  };
}

declare module "../server/db/schema.ts" {
  interface Database extends FederationTables {}
}
