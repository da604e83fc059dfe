// Banning someone of another instance (`user@host`) from one of our groups: their posts are
// refused when they arrive, and, if the group federates, it sends a `Block` to its followers
// (whose instances then stop sending that person's posts) and to the person.
import type { Tx } from "../db/transaction.ts";
import type { User } from "../accounts/accounts.repo.ts";
import { fail, ok, type Result } from "../http/result.ts";
import type { Group } from "./groups.repo.ts";

export async function banRemoteActor(
  tx: Tx,
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
  if (input.group.host === null) tx.enqueue("forums.federate", { action: "block", banId: ban.id });
  return ok({ user: { displayName }, expiresAt: input.expiresAt });
}
