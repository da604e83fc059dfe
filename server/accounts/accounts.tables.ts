import type { Generated } from "kysely";
import type { CreatedAt, Json, NullableTimestamp, Timestamp } from "../db/types.ts";

export type Role = "member" | "staff" | "moderator" | "admin";
export const ROLES: readonly Role[] = ["member", "staff", "moderator", "admin"];
export type Language = "fr" | "en";
export type Relation = "spouse" | "child" | "parent" | "other";
export const RELATIONS: readonly Relation[] = ["spouse", "child", "parent", "other"];

/** Which notifications a member also wants by e-mail (in-app ones are always kept). */
export interface NotificationPrefs {
  emailRegistrations: boolean;
  emailReminders: boolean;
  emailLastMinute: boolean;
  emailForums: "off" | "digest" | "each";
}

export interface AccountTables {
  users: {
    id: Generated<string>;
    email: string;
    email_confirmed_at: NullableTimestamp;
    password_hash: string;
    username: string;
    display_name: string;
    role: Generated<Role>;
    home_slvie_id: string | null;
    language: Generated<Language>;
    notification_prefs: Json<Partial<NotificationPrefs>>;
    discoverable: Generated<boolean>;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  family_members: {
    id: Generated<string>;
    user_id: string;
    first_name: string;
    relation: Relation;
    birth_year: number;
    created_at: CreatedAt;
  };
  email_tokens: {
    token_hash: string;
    user_id: string;
    purpose: "confirm" | "reset";
    expires_at: Timestamp;
    used_at: NullableTimestamp;
    created_at: CreatedAt;
  };
  api_tokens: {
    id: Generated<string>;
    user_id: string;
    name: string;
    token_hash: string;
    created_at: CreatedAt;
    last_used_at: NullableTimestamp;
    revoked_at: NullableTimestamp;
  };
  invitations: {
    id: Generated<string>;
    token_hash: string;
    email: string | null;
    created_by: string | null;
    created_at: CreatedAt;
    expires_at: Timestamp;
    used_at: NullableTimestamp;
    used_by: string | null;
  };
  sessions: {
    sid: string;
    sess: Json<Record<string, unknown>>;
    user_id: string | null;
    expires_at: Timestamp;
  };
}

declare module "../db/schema.ts" {
  interface Database extends AccountTables {}
}
