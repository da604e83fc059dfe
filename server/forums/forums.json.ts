// The JSON shapes of the forums API, with their schemas for the OpenAPI document.
import type { GroupAccess } from "./access.ts";
import type { Group } from "./groups.repo.ts";
import { groupActor, type ForumDeps } from "./groups.service.ts";
import { postPath, type Pager } from "./paging.ts";
import type { PostView } from "./posts.repo.ts";
import type { Topic } from "./topics.repo.ts";

const nullableString = { type: ["string", "null"] } as const;
const dateTime = { type: "string", format: "date-time" } as const;

export const GROUP_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    slug: { type: "string" },
    name: { type: "string" },
    actor: { type: "string", format: "uri", description: "ActivityPub actor id of the group" },
    handle: { type: "string", description: "@slug@host" },
    url: { type: "string", format: "uri" },
    description: { type: "string", description: "Sanitized HTML" },
    rules: { type: "string", description: "Sanitized HTML" },
    visibility: { type: "string", enum: ["public", "network", "local", "private"] },
    postPolicy: { type: "string", enum: ["members", "replies", "moderators"] },
    joinPolicy: { type: "string", enum: ["open", "approval", "invitation"] },
    offerId: nullableString,
    topicCount: { type: "integer" },
    memberCount: { type: "integer" },
    lastActivityAt: dateTime,
    membership: { type: ["string", "null"], enum: ["active", "pending", "invited", null] },
  },
} as const;

export function groupJson(
  deps: Pick<ForumDeps, "publicUrl">,
  group: Group,
  membership: string | null | undefined = null,
) {
  const { actor, handle } = groupActor(deps, group);
  return {
    id: group.id,
    slug: group.slug,
    name: group.name,
    actor,
    handle,
    url: new URL(`/groups/${group.slug}`, deps.publicUrl).href,
    description: group.descriptionHtml,
    rules: group.rulesHtml,
    visibility: group.visibility,
    postPolicy: group.postPolicy,
    joinPolicy: group.joinPolicy,
    offerId: group.offerId,
    topicCount: group.topicCount,
    memberCount: group.memberCount,
    lastActivityAt: group.lastActivityAt.toISOString(),
    membership: membership ?? null,
  };
}

export const TOPIC_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    groupId: { type: "string", format: "uuid" },
    title: { type: "string" },
    url: { type: "string", format: "uri" },
    authorName: { type: "string" },
    postCount: { type: "integer" },
    unread: { type: "integer" },
    pinned: { type: "boolean" },
    locked: { type: "boolean" },
    removed: { type: "boolean" },
    lastPostAt: dateTime,
    createdAt: dateTime,
  },
} as const;

export function topicJson(deps: Pick<ForumDeps, "publicUrl">, topic: Topic & { unread?: number }) {
  return {
    id: topic.id,
    groupId: topic.groupId,
    title: topic.title,
    url: new URL(`/topics/${topic.id}`, deps.publicUrl).href,
    authorName: topic.authorName,
    postCount: topic.postCount,
    unread: topic.unread ?? 0,
    pinned: topic.pinnedAt !== null,
    locked: topic.lockedAt !== null,
    removed: topic.removedAt !== null,
    lastPostAt: topic.lastPostAt.toISOString(),
    createdAt: topic.createdAt.toISOString(),
  };
}

export const POST_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    position: { type: "integer" },
    url: { type: "string", format: "uri" },
    author: {
      type: "object",
      properties: { id: nullableString, name: { type: "string" }, username: nullableString },
    },
    inReplyTo: nullableString,
    quoteOf: nullableString,
    content: { type: ["string", "null"], description: "Sanitized HTML; null once removed" },
    edited: { type: "boolean" },
    editedAt: { type: ["string", "null"], format: "date-time" },
    removal: {
      type: ["object", "null"],
      properties: { reason: { type: "string" }, removedAt: dateTime },
    },
    likes: { type: "integer" },
    likedByMe: { type: "boolean" },
    attachments: {
      type: "array",
      items: {
        type: "object",
        properties: {
          url: { type: "string", format: "uri" },
          mediaType: { type: "string" },
          description: { type: "string" },
        },
      },
    },
    createdAt: dateTime,
  },
} as const;

export function postJson(deps: Pick<ForumDeps, "publicUrl">, post: PostView, access: GroupAccess) {
  const show = !post.removedAt || access.isModerator || access.user?.id === post.authorId;
  return {
    id: post.id,
    position: post.position,
    url: new URL(postPath(post.topicId, post.position), deps.publicUrl).href,
    author: { id: post.authorId, name: post.authorName, username: post.authorUsername },
    inReplyTo: post.inReplyToId,
    quoteOf: post.quoteOfId,
    content: show ? post.html : null,
    edited: post.editedAt !== null,
    editedAt: post.editedAt?.toISOString() ?? null,
    removal: post.removedAt
      ? { reason: post.removalReason ?? "", removedAt: post.removedAt.toISOString() }
      : null,
    likes: post.likeCount,
    likedByMe: post.likedByMe,
    attachments: show
      ? post.attachments.map((a) => ({
          url: new URL(`/forums/media/${a.id}`, deps.publicUrl).href,
          mediaType: a.contentType,
          description: a.description,
        }))
      : [],
    createdAt: post.createdAt.toISOString(),
  };
}

export const PAGE_SCHEMA = {
  type: "object",
  properties: {
    page: { type: "integer" },
    pages: { type: "integer" },
    total: { type: "integer" },
  },
} as const;

export const pageJson = (p: Pager, total: number) => ({ page: p.page, pages: p.pages, total });
