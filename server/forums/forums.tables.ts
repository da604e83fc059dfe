import type { Generated } from "kysely";
import type { CreatedAt, Json, NullableTimestamp } from "../db/types.ts";

export type Visibility = "public" | "network" | "local" | "private";
export const VISIBILITIES: readonly Visibility[] = ["public", "network", "local", "private"];
export type PostPolicy = "members" | "replies" | "moderators";
export const POST_POLICIES: readonly PostPolicy[] = ["members", "replies", "moderators"];
export type JoinPolicy = "open" | "approval" | "invitation";
export const JOIN_POLICIES: readonly JoinPolicy[] = ["open", "approval", "invitation"];
export type MemberRole = "member" | "moderator";
export type MembershipState = "active" | "pending" | "invited";
export type MembershipOrigin = "self" | "invitation" | "offer" | "creator";
export type ReportStatus = "open" | "resolved" | "dismissed";
export type ModerationAction =
  | "remove"
  | "restore"
  | "lock"
  | "unlock"
  | "pin"
  | "unpin"
  | "move_out"
  | "move_in"
  | "ban"
  | "unban"
  | "dismiss_report";
export type ImageType = "image/png" | "image/jpeg" | "image/gif" | "image/webp";

export interface ForumTables {
  forum_groups: {
    id: Generated<string>;
    slug: string;
    host: string | null;
    ap_id: string | null;
    url: string | null;
    name: string;
    description_source: Generated<string>;
    description_html: Generated<string>;
    rules_source: Generated<string>;
    rules_html: Generated<string>;
    visibility: Visibility;
    post_policy: Generated<PostPolicy>;
    join_policy: Generated<JoinPolicy>;
    offer_id: string | null;
    created_by: string | null;
    topic_count: Generated<number>;
    member_count: Generated<number>;
    last_activity_at: CreatedAt;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  forum_memberships: {
    id: Generated<string>;
    group_id: string;
    user_id: string | null;
    actor_ap_id: string | null;
    role: Generated<MemberRole>;
    state: Generated<MembershipState>;
    origin: Generated<MembershipOrigin>;
    created_at: CreatedAt;
  };
  forum_topics: {
    id: Generated<string>;
    group_id: string;
    title: string;
    context: string | null;
    author_id: string | null;
    author_ap_id: string | null;
    author_name: string | null;
    post_count: Generated<number>;
    last_post_at: CreatedAt;
    pinned_at: NullableTimestamp;
    locked_at: NullableTimestamp;
    removed_at: NullableTimestamp;
    created_at: CreatedAt;
  };
  forum_posts: {
    id: Generated<string>;
    topic_id: string;
    group_id: string;
    position: number;
    ap_id: string | null;
    url: string | null;
    author_id: string | null;
    author_ap_id: string | null;
    author_name: string | null;
    author_url: string | null;
    in_reply_to_id: string | null;
    in_reply_to_ap_id: string | null;
    quote_of_id: string | null;
    source: string | null;
    content_html: string;
    text_plain: string;
    search: unknown;
    edited_at: NullableTimestamp;
    removed_at: NullableTimestamp;
    removed_by: string | null;
    removal_reason: string | null;
    removed_by_author: Generated<boolean>;
    like_count: Generated<number>;
    created_at: CreatedAt;
  };
  forum_mentions: {
    post_id: string;
    acct: string;
    user_id: string | null;
    actor_ap_id: string | null;
  };
  forum_reactions: {
    id: Generated<string>;
    post_id: string;
    user_id: string | null;
    actor_ap_id: string | null;
    ap_id: string | null;
    kind: Generated<"like">;
    created_at: CreatedAt;
  };
  forum_attachments: {
    id: Generated<string>;
    post_id: string;
    content_type: ImageType;
    size: number;
    data: Buffer | null;
    remote_url: string | null;
    description: Generated<string>;
    created_at: CreatedAt;
  };
  forum_subscriptions: {
    id: Generated<string>;
    user_id: string;
    group_id: string | null;
    topic_id: string | null;
    created_at: CreatedAt;
  };
  forum_reads: {
    user_id: string;
    topic_id: string;
    last_read_position: number;
    read_at: CreatedAt;
  };
  forum_bans: {
    id: Generated<string>;
    group_id: string;
    user_id: string | null;
    actor_ap_id: string | null;
    reason: string;
    banned_by: string | null;
    expires_at: NullableTimestamp;
    lifted_at: NullableTimestamp;
    ap_id: string | null;
    created_at: CreatedAt;
  };
  forum_reports: {
    id: Generated<string>;
    group_id: string;
    post_id: string;
    reporter_id: string | null;
    reporter_ap_id: string | null;
    reason: string;
    content_snapshot: string;
    status: Generated<ReportStatus>;
    resolved_by: string | null;
    resolution_note: string | null;
    resolved_at: NullableTimestamp;
    ap_id: string | null;
    forwarded_at: NullableTimestamp;
    created_at: CreatedAt;
  };
  forum_moderation_log: {
    id: Generated<string>;
    group_id: string;
    action: ModerationAction;
    moderator_id: string | null;
    moderator_ap_id: string | null;
    topic_id: string | null;
    post_id: string | null;
    topic_title: string | null;
    target_name: string | null;
    target_user_id: string | null;
    target_ap_id: string | null;
    reason: string;
    details: Json<Record<string, string | number | null>>;
    ap_id: string | null;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends ForumTables {}
}
