// Bans across instances. Banning someone of another instance (`user@host`) from one of our
// groups: their posts and follows are refused when they arrive, and, if the group federates, it
// sends a `Block` to its followers (whose instances then stop sending that person's posts) and to
// the person. A group elsewhere banning someone: recorded as it says.
import type { ExpressionBuilder } from "kysely";
import type { Db } from "../db/database.ts";
import type { Database } from "../db/schema.ts";
import type { Tx } from "../db/transaction.ts";
import type { User } from "../accounts/accounts.repo.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import type { Group } from "./groups.repo.ts";
import type { ForumDeps } from "./groups.service.ts";

export async function banRemoteActor(
  tx: Tx,
  deps: ForumDeps,
  input: {
    group: Group;
    handle: string;
    reason: string;
    expiresAt: Date | null;
    moderator: User;
  },
): Promise<Result<{ user: { displayName: string }; expiresAt: Date | null }, "unknown_user">> {
  const [username, host] = input.handle.toLowerCase().split("@");
  if (!username || !host) return fail("unknown_user");
  const actor = await tx.db
    .selectFrom("federation_remote_actors")
    .select(["uri", "name", "username"])
    .where((eb) => eb(eb.fn("lower", ["username"]), "=", username))
    .where("host", "=", host)
    .executeTakeFirst();
  if (!actor) return fail("unknown_user");
  const displayName = actor.name || actor.username;
  const ban = await tx.db
    .insertInto("forum_bans")
    .values({
      group_id: input.group.id,
      actor_ap_id: actor.uri,
      reason: input.reason,
      banned_by: input.moderator.id,
      expires_at: input.expiresAt,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  await tx.db
    .insertInto("forum_moderation_log")
    .values({
      group_id: input.group.id,
      action: "ban",
      moderator_id: input.moderator.id,
      target_name: `${displayName} (@${username}@${host})`,
      target_ap_id: actor.uri,
      reason: input.reason,
      details: JSON.stringify({ until: input.expiresAt?.toISOString() ?? null }),
    })
    .execute();
  if (input.group.host === null) await deps.federation.banned(tx, ban.id);
  return ok({ user: { displayName }, expiresAt: input.expiresAt });
}

/** The bans in force of this actor of another instance in the group, as a filter on
 * `forum_bans`: read alone (actorBanned) or within another statement. */
export function banInForce(groupId: string, actorUri: string) {
  return (eb: ExpressionBuilder<Database, "forum_bans">) =>
    eb.and([
      eb("group_id", "=", groupId),
      eb("actor_ap_id", "=", actorUri),
      eb("lifted_at", "is", null),
      eb.or([eb("expires_at", "is", null), eb("expires_at", ">", new Date())]),
    ]);
}

/** Is this actor of another instance banned from the group (writing and following refused)? */
export async function actorBanned(db: Db, groupId: string, actorUri: string): Promise<boolean> {
  const row = await db
    .selectFrom("forum_bans")
    .select("id")
    .where(banInForce(groupId, actorUri))
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A group elsewhere bans someone (its Block): one of our members (we stop sending their posts
 * there), or another instance's actor (their posts in it are no longer kept here).
 */
export async function banFromRemoteGroup(
  tx: Tx,
  ban: {
    groupId: string;
    target: { userId: string } | { actorUri: string };
    reason: string;
    expiresAt: Date | null;
    apId: string | null;
  },
): Promise<void> {
  await tx.db
    .insertInto("forum_bans")
    .values({
      group_id: ban.groupId,
      user_id: "userId" in ban.target ? ban.target.userId : null,
      actor_ap_id: "actorUri" in ban.target ? ban.target.actorUri : null,
      reason: ban.reason,
      expires_at: ban.expiresAt,
      ap_id: ban.apId,
    })
    .onConflict((oc) => oc.column("ap_id").doNothing())
    .execute();
}
