// Groups and their members: creation and settings, joining and leaving (open, on approval, on
// invitation), moderators, subscriptions.
import type { AppContext } from "../context.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { findUserByUsername, type User } from "../accounts/accounts.repo.ts";
import { handleConflict } from "../accounts/handles.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { notify } from "../notifications/notifications.service.ts";
import type { JoinPolicy, MemberRole, PostPolicy, Visibility } from "./forums.tables.ts";
import * as repo from "./groups.repo.ts";
import * as members from "./memberships.repo.ts";
import type { Group } from "./groups.repo.ts";
import type { ForumsPort } from "./forums.port.ts";
import { renderMarkdown } from "./richtext.ts";

export interface ForumDeps {
  publicUrl: URL;
  /** What forums need from federation (`ctx.ports.forums`). */
  federation: ForumsPort;
}

/** The forums' dependencies from the instance's context (its port is filled in at boot). */
export function forumDeps(ctx: Pick<AppContext, "config" | "ports">): ForumDeps {
  return {
    publicUrl: ctx.config.publicUrl,
    get federation() {
      return ctx.ports.forums;
    },
  };
}

export interface GroupInput {
  name: string;
  slug?: string | undefined;
  description?: string | undefined;
  rules?: string | undefined;
  visibility: Visibility;
  postPolicy?: PostPolicy | undefined;
  joinPolicy?: JoinPolicy | undefined;
}

export const SLUG_PATTERN = "^[a-z0-9][a-z0-9_]{1,48}[a-z0-9]$";

export const mayCreateGroups = (user: User | undefined) =>
  user !== undefined && user.role !== "member";

/** "Randonnée & vélo" → "randonnee_velo". */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 50)
    .replace(/_+$/, "");
  return slug.length >= 3 ? slug : `groupe_${slug}`.replace(/_+$/, "");
}

/** A private group is never open to anyone who asks. */
function joinPolicyFor(visibility: Visibility, asked: JoinPolicy | undefined): JoinPolicy {
  if (visibility === "private") return asked === "invitation" ? "invitation" : "approval";
  return asked ?? "open";
}

function texts(deps: Pick<ForumDeps, "publicUrl">, input: GroupInput) {
  const host = deps.publicUrl.host;
  const description = input.description?.trim() ?? "";
  const rules = input.rules?.trim() ?? "";
  return {
    name: input.name.trim(),
    descriptionSource: description,
    descriptionHtml: description ? renderMarkdown(description, host).html : "",
    rulesSource: rules,
    rulesHtml: rules ? renderMarkdown(rules, host).html : "",
    visibility: input.visibility,
    postPolicy: input.postPolicy ?? "members",
    joinPolicy: joinPolicyFor(input.visibility, input.joinPolicy),
  };
}

export type CreateGroupError = "forbidden" | "slug_taken" | "slug_reserved" | "slug_invalid";

export async function createGroup(
  tx: Tx,
  deps: ForumDeps,
  user: User,
  input: GroupInput & { offerId?: string },
): Promise<Result<Group, CreateGroupError>> {
  if (!mayCreateGroups(user)) return fail("forbidden");
  const slug = (input.slug?.trim() || slugify(input.name)).toLowerCase();
  if (!new RegExp(SLUG_PATTERN).test(slug)) return fail("slug_invalid");
  // The slug becomes the group actor's handle, which shares WebFinger with member handles.
  // "new" and "follow" would be hidden by the pages /groups/new and /groups/follow.
  if (slug === "new" || slug === "follow") return fail("slug_reserved");
  const conflict = await handleConflict(tx.db, slug);
  // A member's username reads as reserved (it is not this group's to take).
  if (conflict === "reserved" || (conflict && !(await repo.slugTaken(tx.db, slug))))
    return fail("slug_reserved");
  if (conflict) return fail("slug_taken");
  const id = await repo.insertGroup(tx.db, {
    ...texts(deps, input),
    slug,
    offerId: input.offerId ?? null,
    createdBy: user.id,
  });
  await members.putMembership(tx.db, {
    groupId: id,
    userId: user.id,
    role: "moderator",
    state: "active",
    origin: "creator",
  });
  await members.setSubscription(tx.db, user.id, { groupId: id }, true);
  return ok((await repo.findGroup(tx.db, { id }))!);
}

export async function updateGroup(
  tx: Tx,
  deps: ForumDeps,
  group: Group,
  input: GroupInput,
): Promise<Group> {
  await repo.updateGroup(tx.db, group.id, texts(deps, input));
  // Followers elsewhere refresh the group's name and description.
  await deps.federation.groupChanged(tx, group.id);
  return (await repo.findGroup(tx.db, { id: group.id }))!;
}

export type JoinOutcome = "joined" | "requested" | "already";

export async function join(
  tx: Tx,
  deps: ForumDeps,
  group: Group,
  user: User,
): Promise<Result<JoinOutcome, "invitation_only" | "remote_group">> {
  if (group.host !== null) return fail("remote_group");
  const existing = await members.findMembership(tx.db, group.id, user.id);
  if (existing?.state === "active" || existing?.state === "pending") return ok("already");
  const invited = existing?.state === "invited";
  if (!invited && group.joinPolicy === "invitation") return fail("invitation_only");
  if (!invited && group.joinPolicy === "approval") {
    await members.putMembership(tx.db, {
      groupId: group.id,
      userId: user.id,
      role: "member",
      state: "pending",
      origin: "self",
    });
    for (const moderatorId of await members.moderatorIds(tx.db, group.id)) {
      await notify(tx, deps.publicUrl, {
        userId: moderatorId,
        kind: "forums:joinRequest",
        data: { name: user.displayName, group: group.name },
        link: `/groups/${group.slug}/members`,
      });
    }
    return ok("requested");
  }
  await members.putMembership(tx.db, {
    groupId: group.id,
    userId: user.id,
    role: existing?.role ?? "member",
    state: "active",
    origin: invited ? "invitation" : "self",
  });
  await members.setSubscription(tx.db, user.id, { groupId: group.id }, true);
  return ok("joined");
}

/** Leaves a group; leaving a group elsewhere also undoes the member's Follow of it. */
export async function leave(tx: Tx, deps: ForumDeps, group: Group, user: User): Promise<boolean> {
  await members.setSubscription(tx.db, user.id, { groupId: group.id }, false);
  const left = await members.deleteMembership(tx.db, group.id, user.id);
  if (group.host && group.apId) await deps.federation.unfollowGroup(tx, user.id, group.apId);
  return left;
}

export async function invite(
  tx: Tx,
  deps: ForumDeps,
  group: Group,
  username: string,
): Promise<Result<User, "unknown_user" | "already_member">> {
  const invited = await findUserByUsername(tx.db, username.replace(/^@/, ""));
  if (!invited) return fail("unknown_user");
  const existing = await members.findMembership(tx.db, group.id, invited.id);
  if (existing?.state === "active") return fail("already_member");
  if (existing?.state === "pending") {
    await decide(tx, deps, group, invited.id, true);
    return ok(invited);
  }
  await members.putMembership(tx.db, {
    groupId: group.id,
    userId: invited.id,
    role: "member",
    state: "invited",
    origin: "invitation",
  });
  await notify(tx, deps.publicUrl, {
    userId: invited.id,
    kind: "forums:invited",
    data: { group: group.name },
    link: `/groups/${group.slug}`,
    email: "forums",
  });
  return ok(invited);
}

/** A moderator accepts or refuses a request to join. */
export async function decide(
  tx: Tx,
  deps: ForumDeps,
  group: Group,
  userId: string,
  accept: boolean,
): Promise<boolean> {
  const existing = await members.findMembership(tx.db, group.id, userId);
  if (existing?.state !== "pending") return false;
  if (!accept) {
    await members.deleteMembership(tx.db, group.id, userId);
    return true;
  }
  await members.putMembership(tx.db, {
    groupId: group.id,
    userId,
    role: existing.role,
    state: "active",
    origin: existing.origin,
  });
  await members.setSubscription(tx.db, userId, { groupId: group.id }, true);
  await notify(tx, deps.publicUrl, {
    userId,
    kind: "forums:joinAccepted",
    data: { group: group.name },
    link: `/groups/${group.slug}`,
    email: "forums",
  });
  return true;
}

export async function setRole(
  db: Db,
  group: Group,
  userId: string,
  role: MemberRole,
): Promise<boolean> {
  const existing = await members.findMembership(db, group.id, userId);
  if (existing?.state !== "active") return false;
  await members.putMembership(db, {
    groupId: group.id,
    userId,
    role,
    state: "active",
    origin: existing.origin,
  });
  return true;
}

export const subscribe = members.setSubscription;
export const isSubscribed = members.isSubscribed;
export const findGroup = repo.findGroup;
export const listGroups = repo.listGroups;
export const listMembers = members.listMembers;
export const groupsModeratedBy = repo.groupsModeratedBy;

/** The group's actor id and handle. A remote group's slug is already `name@host`; a local group
 * is the actor `/users/<slug>` (the slug never changes; member actors use uuids). */
export function groupActor(
  deps: Pick<ForumDeps, "publicUrl">,
  group: Group,
): { actor: string; handle: string } {
  if (group.host !== null) return { actor: group.apId ?? "", handle: `@${group.slug}` };
  return {
    actor: new URL(`/users/${group.slug}`, deps.publicUrl).href,
    handle: `@${group.slug}@${deps.publicUrl.host}`,
  };
}
export const listInvitations = members.listInvitations;
