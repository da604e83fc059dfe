import { JOIN_POLICIES, POST_POLICIES, VISIBILITIES } from "./forums.tables.ts";
import type { JoinPolicy, PostPolicy, Visibility } from "./forums.tables.ts";
import { SLUG_PATTERN } from "./groups.service.ts";
import { BAN_DAYS, REASON_MAX } from "./moderation.service.ts";

export const TITLE_MAX = 150;
export const CONTENT_MAX = 20_000;

const groupProperties = {
  name: { type: "string", minLength: 3, maxLength: 120 },
  slug: { type: "string", pattern: SLUG_PATTERN },
  description: { type: "string", maxLength: 5000 },
  rules: { type: "string", maxLength: 5000 },
  visibility: { type: "string", enum: [...VISIBILITIES] },
  postPolicy: { type: "string", enum: [...POST_POLICIES] },
  joinPolicy: { type: "string", enum: [...JOIN_POLICIES] },
} as const;

export interface GroupForm {
  name: string;
  slug?: string;
  description?: string;
  rules?: string;
  visibility: Visibility;
  postPolicy: PostPolicy;
  joinPolicy: JoinPolicy;
}

export const groupFormSchema = {
  type: "object",
  required: ["name", "visibility", "postPolicy", "joinPolicy"],
  properties: groupProperties,
} as const;

export const groupApiSchema = {
  type: "object",
  required: ["name", "visibility"],
  additionalProperties: false,
  properties: groupProperties,
} as const;

const title = { type: "string", minLength: 3, maxLength: TITLE_MAX, pattern: "\\S" } as const;
const content = { type: "string", minLength: 1, maxLength: CONTENT_MAX, pattern: "\\S" } as const;
const uuid = { type: "string", format: "uuid" } as const;

export interface TopicForm {
  title: string;
  content: string;
  imageDescription?: string;
}

export const topicFormSchema = {
  type: "object",
  required: ["title", "content"],
  properties: { title, content, imageDescription: { type: "string", maxLength: 500 } },
} as const;

export const topicApiSchema = {
  type: "object",
  required: ["title", "content"],
  additionalProperties: false,
  properties: { title, content },
} as const;

export interface ReplyForm {
  content: string;
  inReplyTo?: string;
  quoteOf?: string;
  imageDescription?: string;
}

export const replyFormSchema = {
  type: "object",
  required: ["content"],
  properties: {
    content,
    inReplyTo: uuid,
    quoteOf: uuid,
    imageDescription: { type: "string", maxLength: 500 },
  },
} as const;

export const replyApiSchema = {
  type: "object",
  required: ["content"],
  additionalProperties: false,
  properties: { content, inReplyTo: uuid, quoteOf: uuid },
} as const;

export interface EditForm {
  content: string;
  title?: string;
}

export const editFormSchema = {
  type: "object",
  required: ["content"],
  properties: { content, title },
} as const;

export const editApiSchema = { ...editFormSchema, additionalProperties: false } as const;

// The reason is checked by the services (they refuse an empty one); the schema only bounds it,
// so that a missing reason gets the same clear message from every entry point.
const reason = { type: "string", maxLength: REASON_MAX } as const;

export interface ReasonForm {
  reason?: string;
}

export const reasonFormSchema = { type: "object", properties: { reason } } as const;
export const reasonApiSchema = {
  type: "object",
  additionalProperties: false,
  properties: { reason },
} as const;

export interface BanForm {
  member: string;
  days: string;
  reason?: string;
}

export const banFormSchema = {
  type: "object",
  required: ["member", "days"],
  properties: {
    member: { type: "string", minLength: 1, maxLength: 60 },
    days: { type: "string", enum: [...BAN_DAYS.map(String), "forever"] },
    reason,
  },
} as const;

export const banApiSchema = {
  type: "object",
  required: ["username"],
  additionalProperties: false,
  properties: {
    username: { type: "string", minLength: 1, maxLength: 60 },
    days: { type: ["integer", "null"], enum: [...BAN_DAYS, null] },
    reason,
  },
} as const;

export interface MoveForm {
  groupId: string;
  reason?: string;
}

export const moveFormSchema = {
  type: "object",
  required: ["groupId"],
  properties: { groupId: uuid, reason },
} as const;

export const moveApiSchema = { ...moveFormSchema, additionalProperties: false } as const;

export interface ReportApi {
  postId: string;
  reason?: string;
}

export const reportApiSchema = {
  type: "object",
  required: ["postId"],
  additionalProperties: false,
  properties: { postId: uuid, reason },
} as const;

export const inviteFormSchema = {
  type: "object",
  required: ["username"],
  properties: { username: { type: "string", minLength: 1, maxLength: 60 } },
} as const;

/** A group elsewhere to follow: `@name@host`, Lemmy's `!name@host`, or its URL. */
export interface FollowGroupForm {
  target: string;
}

export const followGroupSchema = {
  type: "object",
  required: ["target"],
  properties: { target: { type: "string", minLength: 3, maxLength: 500 } },
} as const;
