// Who belongs to which group (local members and, later, remote followers) and who follows
// which group or topic for notifications.
import type { Db } from "../db/database.ts";
import type { MemberRole, MembershipOrigin, MembershipState } from "./forums.tables.ts";
import { groupColumns, toGroup, type Group } from "./groups.repo.ts";

export interface Membership {
  role: MemberRole;
  state: MembershipState;
  origin: MembershipOrigin;
  createdAt: Date;
}

export async function findMembership(
  db: Db,
  groupId: string,
  userId: string,
): Promise<Membership | undefined> {
  const row = await db
    .selectFrom("forum_memberships")
    .select(["role", "state", "origin", "created_at"])
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return row
    ? { role: row.role, state: row.state, origin: row.origin, createdAt: row.created_at }
    : undefined;
}

/** Of these people, the active members of the group, in one statement. */
export async function activeMemberIds(
  db: Db,
  groupId: string,
  userIds: readonly string[],
): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectFrom("forum_memberships")
    .select("user_id")
    .where("group_id", "=", groupId)
    .where("user_id", "in", userIds)
    .where("state", "=", "active")
    .execute();
  // Non-null: matched against the ids asked for.
  return new Set(rows.map((r) => r.user_id!));
}

export async function putMembership(
  db: Db,
  row: {
    groupId: string;
    userId: string;
    role: MemberRole;
    state: MembershipState;
    origin: MembershipOrigin;
  },
): Promise<void> {
  await db
    .insertInto("forum_memberships")
    .values({
      group_id: row.groupId,
      user_id: row.userId,
      role: row.role,
      state: row.state,
      origin: row.origin,
    })
    .onConflict((oc) =>
      oc
        .columns(["group_id", "user_id"])
        .where("user_id", "is not", null)
        .doUpdateSet({ role: row.role, state: row.state, origin: row.origin }),
    )
    .execute();
  await refreshMemberCount(db, row.groupId);
}

export async function deleteMembership(db: Db, groupId: string, userId: string): Promise<boolean> {
  const result = await db
    .deleteFrom("forum_memberships")
    .where("group_id", "=", groupId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  await refreshMemberCount(db, groupId);
  return Number(result.numDeletedRows) > 0;
}

async function refreshMemberCount(db: Db, groupId: string): Promise<void> {
  await db
    .updateTable("forum_groups")
    .set((eb) => ({
      member_count: eb
        .selectFrom("forum_memberships")
        .select((e) => e.fn.countAll<number>().as("n"))
        .where("group_id", "=", groupId)
        .where("state", "=", "active"),
    }))
    .where("id", "=", groupId)
    .execute();
}

export interface MemberRow {
  userId: string;
  username: string;
  displayName: string;
  role: MemberRole;
  state: MembershipState;
  origin: MembershipOrigin;
  createdAt: Date;
}

export async function listMembers(db: Db, groupId: string): Promise<MemberRow[]> {
  const rows = await db
    .selectFrom("forum_memberships as m")
    .innerJoin("users as u", "u.id", "m.user_id")
    .select([
      "u.id",
      "u.username",
      "u.display_name",
      "m.role",
      "m.state",
      "m.origin",
      "m.created_at",
    ])
    .where("m.group_id", "=", groupId)
    .orderBy("m.role", "desc")
    .orderBy("u.display_name")
    .limit(1000)
    .execute();
  return rows.map((r) => ({
    userId: r.id,
    username: r.username,
    displayName: r.display_name,
    role: r.role,
    state: r.state,
    origin: r.origin,
    createdAt: r.created_at,
  }));
}

export async function moderatorIds(db: Db, groupId: string): Promise<string[]> {
  const rows = await db
    .selectFrom("forum_memberships")
    .select("user_id")
    .where("group_id", "=", groupId)
    .where("role", "=", "moderator")
    .where("state", "=", "active")
    .where("user_id", "is not", null)
    .execute();
  return rows.map((r) => r.user_id!);
}

export async function setSubscription(
  db: Db,
  userId: string,
  target: { groupId: string } | { topicId: string },
  on: boolean,
): Promise<void> {
  const column = "groupId" in target ? "group_id" : "topic_id";
  const id = "groupId" in target ? target.groupId : target.topicId;
  if (on) {
    await db
      .insertInto("forum_subscriptions")
      .values({ user_id: userId, [column]: id })
      .onConflict((oc) => oc.columns(["user_id", column]).where(column, "is not", null).doNothing())
      .execute();
  } else {
    await db
      .deleteFrom("forum_subscriptions")
      .where("user_id", "=", userId)
      .where(column, "=", id)
      .execute();
  }
}

export async function isSubscribed(
  db: Db,
  userId: string,
  target: { groupId: string } | { topicId: string },
): Promise<boolean> {
  const query = db.selectFrom("forum_subscriptions").select("id").where("user_id", "=", userId);
  const row = await (
    "groupId" in target
      ? query.where("group_id", "=", target.groupId)
      : query.where("topic_id", "=", target.topicId)
  ).executeTakeFirst();
  return row !== undefined;
}

export async function listInvitations(db: Db, userId: string): Promise<Group[]> {
  const rows = await db
    .selectFrom("forum_groups as g")
    .innerJoin("forum_memberships as m", "m.group_id", "g.id")
    .select(groupColumns)
    .where("m.user_id", "=", userId)
    .where("m.state", "=", "invited")
    .orderBy("m.created_at", "desc")
    .limit(50)
    .execute();
  return rows.map(toGroup);
}
