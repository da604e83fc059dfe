// What pages and API routes share: loading a group, topic or post the viewer may read (anything
// else is "not found", so that private groups do not even show they exist), and turning the
// services' expected failures into a status and a message.
import type { Db } from "../db/database.ts";
import type { User } from "../accounts/accounts.repo.ts";
import { HttpError } from "../http/errors.ts";
import { groupAccess, type GroupAccess } from "./access.ts";
import { findGroup, type Group } from "./groups.repo.ts";
import { findPost, type Post } from "./posts.repo.ts";
import { findTopic, type Topic } from "./topics.repo.ts";

export interface InGroup {
  group: Group;
  access: GroupAccess;
}

export async function readableGroup(
  db: Db,
  user: User | undefined,
  by: { id: string } | { slug: string },
): Promise<InGroup> {
  const group = await findGroup(db, by);
  if (!group) throw new HttpError(404, "errors.notFound");
  const access = await groupAccess(db, group, user);
  if (!access.canRead) throw new HttpError(404, "errors.notFound");
  return { group, access };
}

/** The API names a group by id or by slug. */
export const groupRef = (value: string) =>
  /^[0-9a-f-]{36}$/i.test(value) ? { id: value } : { slug: value };

export async function readableTopic(
  db: Db,
  user: User | undefined,
  id: string,
): Promise<InGroup & { topic: Topic }> {
  const topic = await findTopic(db, id);
  if (!topic) throw new HttpError(404, "errors.notFound");
  return { topic, ...(await readableGroup(db, user, { id: topic.groupId })) };
}

export async function readablePost(
  db: Db,
  user: User | undefined,
  id: string,
): Promise<InGroup & { topic: Topic; post: Post }> {
  const post = await findPost(db, id);
  if (!post) throw new HttpError(404, "errors.notFound");
  return { post, ...(await readableTopic(db, user, post.topicId)) };
}

export function requireModerator(access: GroupAccess): void {
  if (!access.user) throw new HttpError(401, "errors.unauthorized");
  if (!access.isModerator) throw new HttpError(403, "errors.forbidden");
}

/** A group the user moderates: 404 when they may not read it, 401 or 403 when not a moderator. */
export async function moderatedGroup(
  db: Db,
  user: User | undefined,
  by: { id: string } | { slug: string },
): Promise<InGroup> {
  const found = await readableGroup(db, user, by);
  requireModerator(found.access);
  return found;
}

/** A topic of a group the user moderates (the same answers as `moderatedGroup`). */
export async function moderatedTopic(
  db: Db,
  user: User | undefined,
  id: string,
): Promise<InGroup & { topic: Topic }> {
  const found = await readableTopic(db, user, id);
  requireModerator(found.access);
  return found;
}

const STATUS: Record<string, number> = {
  sign_in: 401,
  not_member: 403,
  banned: 403,
  moderators_only: 403,
  locked: 409,
  removed: 409,
  remote_group: 409,
  slow_down: 429,
  bad_parent: 400,
  reason_required: 422,
  already_removed: 409,
  not_removed: 409,
  same_group: 422,
  unknown_user: 422,
  moderator: 422,
  not_banned: 409,
  already_reported: 409,
  not_open: 409,
  not_author: 403,
  has_replies: 409,
  invitation_only: 403,
  already_member: 409,
  slug_taken: 409,
  slug_reserved: 409,
  slug_invalid: 422,
  forbidden: 403,
  image_type: 422,
  image_size: 413,
  image_description: 422,
};

export interface Failure {
  status: number;
  key: string;
  values: Record<string, string | number>;
}

/** A service failure as a status and a translated-message key with its values. */
export function failure(
  error: string,
  details: Record<string, unknown> = {},
  access?: GroupAccess,
): Failure {
  const values: Record<string, string | number> = {};
  if (error === "slow_down")
    values.count = Math.max(1, Math.ceil(Number(details.waitSeconds) / 60));
  if (error === "banned" && access?.ban) {
    values.reason = access.ban.reason;
    values.until = access.ban.expiresAt ? access.ban.expiresAt.toISOString().slice(0, 10) : "";
  }
  const key =
    error === "banned" && access?.ban && !access.ban.expiresAt
      ? "forums:errors.bannedForever"
      : `forums:errors.${error}`;
  return { status: STATUS[error] ?? 400, key, values };
}

/** For the API: the translated message, with its values, goes in the problem's `detail`. */
export function failureError(
  t: (key: string, values?: Record<string, unknown>) => string,
  failed: Failure,
  field?: string,
): HttpError {
  return new HttpError(failed.status, failed.key, {
    detail: t(failed.key, failed.values),
    ...(field ? { fields: [{ field, key: failed.key, values: failed.values }] } : {}),
  });
}

export const message = (
  req: { t: (key: string, values?: Record<string, unknown>) => string },
  failed: Failure,
) => req.t(failed.key, failed.values);
