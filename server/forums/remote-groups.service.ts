// Forums across instances, the domain's side: groups of other instances our members follow (each
// gets a local entry whose slug is its handle, `name@host`), and what other instances' people do
// to our posts (likes, reports), as federation hands it over.
import type { AppContext } from "../context.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import type { User } from "../accounts/accounts.repo.ts";
import { ok, type Result } from "../lib/result.ts";
import type { FindGroupError, RemoteGroupActor } from "./forums.port.ts";
import { findGroup, type Group } from "./groups.repo.ts";
import type { ForumDeps } from "./groups.service.ts";
import {
  deleteMembership,
  findMembership,
  putMembership,
  setSubscription,
} from "./memberships.repo.ts";
import { notify } from "../notifications/notifications.service.ts";
import { refreshLikeCount } from "./posts.repo.ts";

function slugOf(remote: RemoteGroupActor): string {
  const name =
    remote.username
      .toLowerCase()
      .replace(/[@/\s]/g, "_")
      .slice(0, 100) || "groupe";
  return `${name}@${remote.host}`;
}

/**
 * The local entry of a remote group (created, or refreshed from its actor). Its visibility is
 * what the group states (Maillage groups), else public until one of its posts comes without
 * `as:Public` (`storeIncoming`); a network group is read here by signed-in members only, as a
 * network group of ours (ADR 0085).
 */
export async function saveRemoteGroup(db: Db, remote: RemoteGroupActor): Promise<Group> {
  const values = {
    name: remote.name.slice(0, 200) || remote.username,
    description_html: remote.summary,
    url: remote.url ?? remote.uri,
    updated_at: new Date(),
    ...(remote.visibility ? { visibility: remote.visibility } : {}),
  };
  // Two actors with one name on one host (http and https ids of the same community): the
  // second gets a numbered slug.
  let slug = slugOf(remote);
  for (let n = 2; ; n++) {
    const holder = await db
      .selectFrom("forum_groups")
      .select("ap_id")
      .where("slug", "=", slug)
      .executeTakeFirst();
    if (!holder || holder.ap_id === remote.uri) break;
    slug = slugOf(remote).replace("@", `_${n}@`);
  }
  const row = await db
    .insertInto("forum_groups")
    .values({
      ...values,
      slug,
      host: remote.host,
      ap_id: remote.uri,
      visibility: remote.visibility ?? "public",
      post_policy: "members",
      join_policy: "open",
    })
    .onConflict((oc) => oc.column("ap_id").doUpdateSet(values))
    .returning("id")
    .executeTakeFirstOrThrow();
  return (await findGroup(db, { id: row.id }))!;
}

/**
 * Our member follows a group elsewhere by handle or URL: it is looked up (over the network, so
 * before the transaction), gets its local entry, the member joins it and is subscribed, and a
 * Follow goes from the member's actor; its history is read after commit.
 */
export async function followRemoteGroup(
  app: Pick<AppContext, "transaction">,
  deps: ForumDeps,
  user: User,
  target: string,
): Promise<Result<Group, FindGroupError>> {
  const found = await deps.federation.findGroup(user.id, target);
  if (!found.ok) return found;
  const group = await app.transaction(async (tx) => {
    const group = await saveRemoteGroup(tx.db, found.value);
    await putMembership(tx.db, {
      groupId: group.id,
      userId: user.id,
      role: "member",
      // A member only once the group's instance accepts the Follow (remoteGroupAnswered).
      state: "pending",
      origin: "self",
    });
    await setSubscription(tx.db, user.id, { groupId: group.id }, true);
    await deps.federation.followGroup(tx, user.id, { id: group.id, apId: found.value.uri });
    return group;
  });
  return ok(group);
}

/** Someone of another instance likes a post of one of our groups: counted once per actor. True
 * when it is new. */
export async function likeFromRemote(
  tx: Tx,
  like: { postId: string; actorUri: string; apId: string | null },
): Promise<boolean> {
  const added = await tx.db
    .insertInto("forum_reactions")
    .values({ post_id: like.postId, actor_ap_id: like.actorUri, ap_id: like.apId, kind: "like" })
    .onConflict((oc) => oc.doNothing())
    .returning("id")
    .executeTakeFirst();
  if (added) await refreshLikeCount(tx.db, like.postId);
  return added !== undefined;
}

/** …and takes it back. True when there was one. */
export async function unlikeFromRemote(
  tx: Tx,
  like: { postId: string; actorUri: string },
): Promise<boolean> {
  const removed = await tx.db
    .deleteFrom("forum_reactions")
    .where("post_id", "=", like.postId)
    .where("actor_ap_id", "=", like.actorUri)
    .where("kind", "=", "like")
    .returning("id")
    .executeTakeFirst();
  if (removed) await refreshLikeCount(tx.db, like.postId);
  return removed !== undefined;
}

/** The id of the Like that carried our member's like elsewhere (its Undo names it); false when
 * the like was taken back meanwhile. */
export async function recordLikeActivity(
  tx: Tx,
  like: { postId: string; userId: string; apId: string },
): Promise<boolean> {
  const row = await tx.db
    .updateTable("forum_reactions")
    .set({ ap_id: like.apId })
    .where("post_id", "=", like.postId)
    .where("user_id", "=", like.userId)
    .where("kind", "=", "like")
    .returning("id")
    .executeTakeFirst();
  return row !== undefined;
}

/** A report (Flag) about a post of one of our groups, from another instance: into the group's
 * queue (once per Flag). */
export async function reportFromRemote(
  tx: Tx,
  report: { postId: string; reporterUri: string; reason: string; apId: string | null },
): Promise<boolean> {
  const post = await tx.db
    .selectFrom("forum_posts")
    .select(["id", "group_id", "text_plain"])
    .where("id", "=", report.postId)
    .executeTakeFirst();
  if (!post) return false;
  await tx.db
    .insertInto("forum_reports")
    .values({
      group_id: post.group_id,
      post_id: post.id,
      reporter_ap_id: report.reporterUri,
      reason: report.reason,
      content_snapshot: post.text_plain,
      ap_id: report.apId,
    })
    .onConflict((oc) => oc.column("ap_id").doNothing())
    .execute();
  return true;
}

/** Our member's report reached the remote group's instance. */
export async function markReportForwarded(tx: Tx, reportId: string): Promise<void> {
  await tx.db
    .updateTable("forum_reports")
    .set({ forwarded_at: new Date() })
    .where("id", "=", reportId)
    .execute();
}

/** Someone mentioned as `user@host`, once WebFinger found their actor: kept for the next time. */
export async function setMentionActor(
  db: Db,
  mention: { postId: string; acct: string; actorUri: string },
): Promise<void> {
  await db
    .updateTable("forum_mentions")
    .set({ actor_ap_id: mention.actorUri })
    .where("post_id", "=", mention.postId)
    .where("acct", "=", mention.acct)
    .execute();
}

/**
 * A remote group answered our member's Follow: Accept makes the pending membership active; Reject
 * removes it and tells the member. False when the member had no pending membership there.
 */
export async function remoteGroupAnswered(
  tx: Tx,
  publicUrl: URL,
  answer: { groupApId: string; userId: string; accepted: boolean },
): Promise<boolean> {
  const group = await tx.db
    .selectFrom("forum_groups")
    .select(["id", "name", "slug"])
    .where("ap_id", "=", answer.groupApId)
    .where("host", "is not", null)
    .executeTakeFirst();
  if (!group) return false;
  const membership = await findMembership(tx.db, group.id, answer.userId);
  if (membership?.state !== "pending") return false;
  if (answer.accepted) {
    await putMembership(tx.db, {
      groupId: group.id,
      userId: answer.userId,
      role: membership.role,
      state: "active",
      origin: membership.origin,
    });
    return true;
  }
  await deleteMembership(tx.db, group.id, answer.userId);
  await setSubscription(tx.db, answer.userId, { groupId: group.id }, false);
  await notify(tx, publicUrl, {
    userId: answer.userId,
    kind: "forums:followRejected",
    data: { group: group.name },
    link: `/groups/${group.slug}`,
    email: "forums",
  });
  return true;
}
