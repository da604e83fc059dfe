// Who may read, post and moderate in a group. Every page, API route and service asks here, so
// the rules are written once.
import type { Db } from "../db/database.ts";
import type { User } from "../accounts/accounts.repo.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { isInstanceModerator, type Group } from "./groups.repo.ts";
import { activeMemberIds, findMembership, type Membership } from "./memberships.repo.ts";
import { activeBan, type Ban } from "./moderation.repo.ts";

export interface GroupAccess {
  user: User | undefined;
  canRead: boolean;
  membership: Membership | undefined;
  isMember: boolean;
  isModerator: boolean;
  ban: Ban | undefined;
}

/**
 * Who may read a group: everybody a public one, signed-in members a network or local one, the
 * instance's moderators any, and the group's active members their own. `isMember` is asked for
 * only when it decides (a private group, a reader neither moderator nor anonymous), so a public
 * group's readers cost no membership read.
 */
async function mayRead(
  group: Group,
  user: User | undefined,
  isMember: () => Promise<boolean>,
): Promise<boolean> {
  if (group.visibility === "public" || isInstanceModerator(user)) return true;
  if (user === undefined) return false;
  return group.visibility !== "private" || (await isMember());
}

/** Of these people, who may read the group: the memberships that decide are read at once. */
export async function readersOf(
  db: Db,
  group: Group,
  users: readonly User[],
): Promise<Set<string>> {
  let members: Promise<Set<string>> | undefined;
  const readers = new Set<string>();
  for (const user of users) {
    const reads = await mayRead(group, user, async () => {
      // Asked for by the first whose membership decides: one statement for all of them.
      members ??= activeMemberIds(
        db,
        group.id,
        users.map((u) => u.id),
      );
      return (await members).has(user.id);
    });
    if (reads) readers.add(user.id);
  }
  return readers;
}

export async function groupAccess(
  db: Db,
  group: Group,
  user: User | undefined,
): Promise<GroupAccess> {
  const membership = user ? await findMembership(db, group.id, user.id) : undefined;
  const isMember = membership?.state === "active";
  const instanceModerator = isInstanceModerator(user) && group.host === null;
  const isModerator = instanceModerator || (isMember && membership?.role === "moderator");
  const canRead = await mayRead(group, user, () => Promise.resolve(isMember));
  const ban = user && !isModerator ? await activeBan(db, group.id, user.id) : undefined;
  return { user, canRead, membership, isMember, isModerator, ban };
}

export type PostRefusal =
  "sign_in" | "not_member" | "banned" | "moderators_only" | "locked" | "removed" | "remote_group";

/**
 * May this person open a topic (`topic`) or reply (`reply`)? Open groups let a reader post at
 * once (posting joins the group); the other groups need an accepted membership.
 */
export function mayPost(
  group: Group,
  access: GroupAccess,
  kind: "topic" | "reply",
  topic?: { lockedAt: Date | null; removedAt: Date | null },
): Result<{ joins: boolean }, PostRefusal> {
  if (!access.user) return fail("sign_in");
  if (!access.canRead) return fail("not_member");
  if (access.ban) return fail("banned");
  // A group hosted elsewhere: its followers write (federation sends the post to the group,
  // whose own rules then apply); the topic's lock still holds here.
  if (group.host !== null) {
    if (!access.isMember) return fail("remote_group");
    if (topic?.removedAt) return fail("removed");
    if (topic?.lockedAt) return fail("locked");
    return ok({ joins: false });
  }
  if (topic?.removedAt) return fail("removed");
  if (topic?.lockedAt && !access.isModerator) return fail("locked");
  if (!access.isModerator) {
    if (group.postPolicy === "moderators") return fail("moderators_only");
    if (group.postPolicy === "replies" && kind === "topic") return fail("moderators_only");
    if (!access.isMember && group.joinPolicy !== "open") return fail("not_member");
  }
  return ok({ joins: !access.isMember && !access.isModerator });
}
