// Moderation is explicit and justified: every action names its reason, the reason is shown to
// the member concerned, and the action is written to the group's public moderation log.
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { findUserById, findUserByUsername, type User } from "../accounts/accounts.repo.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import type { GroupAccess } from "./access.ts";
import * as groups from "./groups.repo.ts";
import * as members from "./memberships.repo.ts";
import type { Group } from "./groups.repo.ts";
import type { ForumDeps } from "./groups.service.ts";
import * as repo from "./moderation.repo.ts";
import { banRemoteActor } from "./remote-bans.ts";
import * as posts from "./posts.repo.ts";
import type { Post } from "./posts.repo.ts";
import { LOG_PER_PAGE, postPath, pager, REPORTS_PER_PAGE } from "./paging.ts";
import { excerpt } from "./richtext.ts";
import { openReporters, tellOfReport, tellReporters } from "./report-notices.ts";
import * as topics from "./topics.repo.ts";
import type { Topic } from "./topics.repo.ts";

export const BAN_DAYS = [1, 7, 30, 90, 365] as const;
export const REASON_MAX = 1000;

type Reasoned = { reason: string | undefined };
const reasonOf = (input: Reasoned) => input.reason?.trim() ?? "";

function topicLink(topic: Topic, post?: Post) {
  return post && post.position > 1 ? postPath(topic.id, post.position) : `/topics/${topic.id}`;
}

export async function removePost(
  tx: Tx,
  deps: ForumDeps,
  input: Reasoned & { group: Group; topic: Topic; post: Post; moderator: User },
): Promise<Result<void, "reason_required" | "already_removed">> {
  const reason = reasonOf(input);
  if (!reason) return fail("reason_required");
  if (input.post.removedAt) return fail("already_removed");
  const { group, topic, post, moderator } = input;
  await posts.setRemoved(tx.db, post.id, { by: moderator.id, reason });
  if (post.position === 1) {
    await topics.setTopicFlags(tx.db, topic.id, { removedAt: new Date() });
    await topics.refreshTopicCount(tx.db, group.id);
  }
  await repo.insertLog(tx.db, {
    groupId: group.id,
    action: "remove",
    moderatorId: moderator.id,
    topicId: topic.id,
    postId: post.id,
    topicTitle: topic.title,
    targetName: post.authorName,
    targetUserId: post.authorId,
    reason,
    details: { position: post.position, excerpt: excerpt(post.text, 120) },
  });
  const reporters = await openReporters(tx.db, { postId: post.id });
  await repo.closeReports(tx.db, { postId: post.id }, "resolved", moderator.id, reason);
  await tellReporters(
    tx,
    deps,
    reporters,
    "reportResolved",
    { group: group.name, topic: topic.title, reason },
    `/groups/${group.slug}/log`,
  );
  await deps.federation.postRemoved(tx, post.id, reason);
  if (post.authorId && post.authorId !== moderator.id) {
    await notify(tx, deps.publicUrl, {
      userId: post.authorId,
      kind: post.position === 1 ? "forums:topicRemoved" : "forums:postRemoved",
      data: { topic: topic.title, group: group.name, reason },
      link: topicLink(topic, post),
      email: "forums",
    });
  }
  return ok(undefined);
}

export async function restorePost(
  tx: Tx,
  deps: ForumDeps,
  input: Reasoned & { group: Group; topic: Topic; post: Post; moderator: User },
): Promise<Result<void, "reason_required" | "not_removed">> {
  const reason = reasonOf(input);
  if (!reason) return fail("reason_required");
  if (!input.post.removedAt) return fail("not_removed");
  await posts.setRemoved(tx.db, input.post.id, null);
  if (input.post.position === 1) {
    await topics.setTopicFlags(tx.db, input.topic.id, { removedAt: null });
    await topics.refreshTopicCount(tx.db, input.group.id);
  }
  await repo.insertLog(tx.db, {
    groupId: input.group.id,
    action: "restore",
    moderatorId: input.moderator.id,
    topicId: input.topic.id,
    postId: input.post.id,
    topicTitle: input.topic.title,
    targetName: input.post.authorName,
    targetUserId: input.post.authorId,
    reason,
    details: { position: input.post.position },
  });
  if (input.group.host === null) await deps.federation.postRestored(tx, input.post.id, reason);
  return ok(undefined);
}

export type TopicAction = "lock" | "unlock" | "pin" | "unpin";

export async function flagTopic(
  tx: Tx,
  deps: ForumDeps,
  input: Reasoned & { group: Group; topic: Topic; moderator: User; action: TopicAction },
): Promise<Result<void, "reason_required">> {
  const reason = reasonOf(input);
  // Pinning highlights and hides nothing: the reason is welcome but not required.
  if (!reason && (input.action === "lock" || input.action === "unlock"))
    return fail("reason_required");
  const { topic, action } = input;
  const now = new Date();
  await topics.setTopicFlags(tx.db, topic.id, {
    ...(action === "lock" ? { lockedAt: now } : action === "unlock" ? { lockedAt: null } : {}),
    ...(action === "pin" ? { pinnedAt: now } : action === "unpin" ? { pinnedAt: null } : {}),
  });
  await repo.insertLog(tx.db, {
    groupId: input.group.id,
    action,
    moderatorId: input.moderator.id,
    topicId: topic.id,
    topicTitle: topic.title,
    targetName: topic.authorName,
    targetUserId: topic.authorId,
    reason,
  });
  // Our federated groups tell their followers (the job skips the others).
  if (input.group.host === null && (action === "lock" || action === "unlock"))
    await deps.federation.topicLocked(tx, topic.id, action === "lock", reason);
  if (input.group.host === null && (action === "pin" || action === "unpin"))
    await deps.federation.topicPinned(tx, topic.id, action === "pin", reason);
  if (action === "lock" && topic.authorId && topic.authorId !== input.moderator.id) {
    await notify(tx, deps.publicUrl, {
      userId: topic.authorId,
      kind: "forums:topicLocked",
      data: { topic: topic.title, reason },
      link: topicLink(topic),
      email: "forums",
    });
  }
  return ok(undefined);
}

/** A topic goes only to a group the moderator moderates too (else "forbidden", as if absent). */
export async function moveTopic(
  tx: Tx,
  deps: ForumDeps,
  input: Reasoned & { group: Group; topic: Topic; targetId: string; moderator: User },
): Promise<Result<{ target: Group }, "reason_required" | "same_group" | "forbidden">> {
  const { group, topic, moderator } = input;
  const target = await groups.findGroup(tx.db, { id: input.targetId });
  const moderated = await groups.groupsModeratedBy(tx.db, moderator);
  if (!target || !moderated.some((g) => g.id === target.id)) return fail("forbidden");
  const reason = reasonOf(input);
  if (!reason) return fail("reason_required");
  if (target.id === group.id) return fail("same_group");
  await topics.setTopicFlags(tx.db, topic.id, { groupId: target.id });
  await topics.refreshTopicCount(tx.db, group.id);
  await topics.refreshTopicCount(tx.db, target.id);
  await groups.touchGroup(tx.db, target.id);
  const common = {
    moderatorId: moderator.id,
    topicId: topic.id,
    topicTitle: topic.title,
    targetName: topic.authorName,
    targetUserId: topic.authorId,
    reason,
  };
  await repo.insertLog(tx.db, {
    ...common,
    groupId: group.id,
    action: "move_out",
    details: { to: target.name, toSlug: target.slug },
  });
  await repo.insertLog(tx.db, {
    ...common,
    groupId: target.id,
    action: "move_in",
    details: { from: group.name, fromSlug: group.slug },
  });
  await deps.federation.topicMoved(tx, topic.id, group.id, reason);
  if (topic.authorId && topic.authorId !== moderator.id) {
    await notify(tx, deps.publicUrl, {
      userId: topic.authorId,
      kind: "forums:topicMoved",
      data: { topic: topic.title, group: target.name, reason },
      link: topicLink(topic),
      email: "forums",
    });
  }
  return ok({ target });
}

export async function ban(
  tx: Tx,
  deps: ForumDeps,
  input: Reasoned & { group: Group; username: string; days: number | null; moderator: User },
): Promise<
  Result<
    { user: Pick<User, "displayName">; expiresAt: Date | null },
    "reason_required" | "unknown_user" | "moderator"
  >
> {
  const reason = reasonOf(input);
  if (!reason) return fail("reason_required");
  const expiresAt = input.days === null ? null : new Date(Date.now() + input.days * 86_400_000);
  const name = input.username.trim().replace(/^@/, "");
  // Someone of another instance, known here by their handle (user@host).
  if (name.includes("@"))
    return banRemoteActor(tx, deps, { ...input, handle: name, reason, expiresAt });
  const target = await findUserByUsername(tx.db, name);
  if (!target) return fail("unknown_user");
  const access = await members.findMembership(tx.db, input.group.id, target.id);
  if (access?.role === "moderator" || groups.isInstanceModerator(target)) return fail("moderator");
  await repo.insertBan(tx.db, {
    groupId: input.group.id,
    userId: target.id,
    reason,
    bannedBy: input.moderator.id,
    expiresAt,
  });
  await repo.insertLog(tx.db, {
    groupId: input.group.id,
    action: "ban",
    moderatorId: input.moderator.id,
    targetName: target.displayName,
    targetUserId: target.id,
    reason,
    details: { until: expiresAt?.toISOString() ?? null },
  });
  await notify(tx, deps.publicUrl, {
    userId: target.id,
    kind: expiresAt ? "forums:banned" : "forums:bannedForever",
    data: {
      group: input.group.name,
      reason,
      until: expiresAt ? expiresAt.toISOString().slice(0, 10) : "",
    },
    link: `/groups/${input.group.slug}`,
    email: "forums",
  });
  return ok({ user: target, expiresAt });
}

export async function unban(
  tx: Tx,
  input: Reasoned & { group: Group; userId: string; moderator: User },
): Promise<Result<void, "reason_required" | "not_banned">> {
  const reason = reasonOf(input);
  if (!reason) return fail("reason_required");
  const target = await findUserById(tx.db, input.userId);
  if (!target || (await repo.liftBans(tx.db, input.group.id, target.id)) === 0)
    return fail("not_banned");
  await repo.insertLog(tx.db, {
    groupId: input.group.id,
    action: "unban",
    moderatorId: input.moderator.id,
    targetName: target.displayName,
    targetUserId: target.id,
    reason,
  });
  return ok(undefined);
}

export async function report(
  tx: Tx,
  deps: ForumDeps,
  input: Reasoned & { group: Group; topic: Topic; post: Post; access: GroupAccess; user: User },
): Promise<Result<string, "reason_required" | "not_member" | "already_reported" | "removed">> {
  const reason = reasonOf(input);
  if (!reason) return fail("reason_required");
  if (!input.access.canRead) return fail("not_member");
  if (input.post.removedAt) return fail("removed");
  const id = await repo.insertReport(tx.db, {
    groupId: input.group.id,
    postId: input.post.id,
    reporterId: input.user.id,
    reason,
    snapshot: input.post.text,
  });
  if (!id) return fail("already_reported");
  // A remote group's post: the report also goes to its instance (Flag).
  if (input.group.host !== null) await deps.federation.reported(tx, id);
  await tellOfReport(tx, deps, {
    group: input.group,
    topicTitle: input.topic.title,
    authorId: input.post.authorId,
  });
  return ok(id);
}

export async function dismissReport(
  tx: Tx,
  input: Reasoned & { group: Group; reportId: string; moderator: User },
  deps?: ForumDeps,
): Promise<Result<void, "reason_required" | "not_open">> {
  const reason = reasonOf(input);
  if (!reason) return fail("reason_required");
  const found = await repo.findReport(tx.db, input.reportId);
  if (!found || found.groupId !== input.group.id || found.status !== "open")
    return fail("not_open");
  const reporters = await openReporters(tx.db, { reportId: found.id });
  await repo.closeReports(tx.db, { reportId: found.id }, "dismissed", input.moderator.id, reason);
  const post = await posts.findPost(tx.db, found.postId);
  const topic = post ? await topics.findTopic(tx.db, post.topicId) : undefined;
  if (deps)
    await tellReporters(
      tx,
      deps,
      reporters,
      "reportDismissed",
      { group: input.group.name, topic: topic?.title ?? "", reason },
      `/groups/${input.group.slug}/log`,
    );
  await repo.insertLog(tx.db, {
    groupId: input.group.id,
    action: "dismiss_report",
    moderatorId: input.moderator.id,
    topicId: topic?.id ?? null,
    postId: found.postId,
    topicTitle: topic?.title ?? null,
    targetName: post?.authorName ?? null,
    reason,
  });
  return ok(undefined);
}

export type PostAction = "report" | "remove" | "restore";

/** Report (any reader), remove or restore (moderators) a post, with the reason given. */
export async function actOnPost(
  tx: Tx,
  deps: ForumDeps,
  action: PostAction,
  input: Reasoned & { group: Group; topic: Topic; post: Post; access: GroupAccess; user: User },
): Promise<Result<unknown, string>> {
  if (action === "report") return report(tx, deps, input);
  const asModerator = { ...input, moderator: input.user };
  return action === "remove"
    ? removePost(tx, deps, asModerator)
    : restorePost(tx, deps, asModerator);
}

/** One page of open reports, of a group or of every group (the instance's queue). */
export async function openReportsPage(
  db: Db,
  scope: Parameters<typeof repo.listOpenReports>[1],
  page: number,
) {
  const offset = (page - 1) * REPORTS_PER_PAGE;
  const list = await repo.listOpenReports(db, scope, { limit: REPORTS_PER_PAGE, offset });
  return { ...list, pager: pager(list.total, page, REPORTS_PER_PAGE) };
}

/** One page of a group's public moderation log, newest first. */
export async function logPage(db: Db, groupId: string, page: number) {
  const offset = (page - 1) * LOG_PER_PAGE;
  const list = await repo.listLog(db, groupId, { limit: LOG_PER_PAGE, offset });
  return { ...list, pager: pager(list.total, page, LOG_PER_PAGE) };
}

/** Moderation needs the right to moderate this very group, not only to read it. */
export const canModerate = (access: GroupAccess) => access.isModerator;
export const activeBan = repo.activeBan;
export const listActiveBans = repo.listActiveBans;
export type { Report, LogEntry } from "./moderation.repo.ts";
