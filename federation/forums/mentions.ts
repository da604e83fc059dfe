// Mentions across instances. Outgoing: when a post is federated (in the `forums.federate` job,
// never in the request), its mentions become `Mention` tags — our members who have an actor, and
// `@user@host` resolved by WebFinger (the actor's URI is kept on the mention row) — and the
// remote actors named are added to `cc`. Incoming: `Mention` tags naming one of our members are
// recorded as mentions of the post, so the forums' notify job tells them as for a local mention.
import { Mention, type Create, type Update } from "@fedify/vocab";
import type { Db } from "../../server/db/database.ts";
import { saveRemoteGroup, setMentionActor } from "../../server/forums/remote-groups.service.ts";
import { fetchRemoteActor } from "../actors/remote.ts";
import type { InboxInput } from "../inbox/route.ts";
import type { FederationDeps, FederationRuntime } from "../deps.ts";
import { tolerate } from "../tolerate.ts";
import { actorUri, hostOf } from "../uris.ts";
import { incomingPost, localMentionsOf, remoteGroup, type PostLike } from "./inbound-shared.ts";
import { applyGroupActivity } from "./remote-groups.ts";

export interface OutgoingMentions {
  tags: Mention[];
  /** Remote actors named: they are in `cc` and receive the post. */
  remote: URL[];
  /** Does the post's author have an actor (to send their Create directly)? */
  authorHasActor: boolean;
}

/** The post's mentions as tags, resolving remote ones (network: call outside a transaction). */
export async function outgoingMentions(
  runtime: FederationRuntime,
  postId: string,
): Promise<OutgoingMentions> {
  const { app } = runtime;
  const unresolved = await app.db
    .selectFrom("forum_mentions")
    .select("acct")
    .where("post_id", "=", postId)
    .where("user_id", "is", null)
    .where("actor_ap_id", "is", null)
    .orderBy("acct")
    .execute();
  for (const row of unresolved) {
    if (!row.acct.includes("@")) continue;
    const log = app.log.child({ post: postId, acct: row.acct });
    const found = await tolerate(runtime.lookup(`@${row.acct}`), undefined, log, "WebFinger");
    if (!found?.ok || found.value.type === "Group") continue;
    await setMentionActor(app.db, { postId, acct: row.acct, actorUri: found.value.uri });
  }
  const out: OutgoingMentions = { ...(await mentionTags(runtime, postId)), authorHasActor: false };
  if (out.remote.length > 0) {
    const post = await app.db
      .selectFrom("forum_posts")
      .select("author_id")
      .where("id", "=", postId)
      .executeTakeFirst();
    out.authorHasActor =
      !!post?.author_id && (await runtime.actors.byIdentifier(post.author_id)) !== null;
  }
  return out;
}

/**
 * The post's mentions as tags from what is stored (remote actors already resolved), without any
 * network: what the Create carried, and what the post's id serves, so both say the same.
 */
export async function mentionTags(
  deps: FederationDeps,
  postId: string,
): Promise<Pick<OutgoingMentions, "tags" | "remote">> {
  const { app } = deps;
  const rows = await app.db
    .selectFrom("forum_mentions as m")
    .leftJoin("users as u", "u.id", "m.user_id")
    .select(["m.acct", "m.user_id", "m.actor_ap_id", "u.username"])
    .where("m.post_id", "=", postId)
    .orderBy("m.acct")
    .execute();
  const out: Pick<OutgoingMentions, "tags" | "remote"> = { tags: [], remote: [] };
  const host = app.config.publicUrl.host;
  for (const row of rows) {
    if (row.user_id) {
      // Only members who chose to be visible are named to other instances (ADR 0087).
      const actor = await deps.actors.byIdentifier(row.user_id);
      if (!actor || actor.unlisted) continue;
      out.tags.push(
        new Mention({
          href: actorUri(app.config.publicUrl, row.user_id),
          name: `@${row.username ?? row.acct}@${host}`,
        }),
      );
      continue;
    }
    if (!row.actor_ap_id) continue;
    out.tags.push(new Mention({ href: new URL(row.actor_ap_id), name: `@${row.acct}` }));
    out.remote.push(new URL(row.actor_ap_id));
  }
  return out;
}

/** Of `actors`, those that do not follow our group `slug` (they get the post directly). */
export async function notFollowers(db: Db, slug: string, actors: URL[]): Promise<URL[]> {
  if (actors.length === 0) return [];
  const rows = await db
    .selectFrom("federation_follows as f")
    .innerJoin("federation_remote_actors as r", "r.id", "f.remote_actor_id")
    .select("r.uri")
    .where("f.local_actor", "=", slug)
    .where("f.direction", "=", "incoming")
    .where("f.state", "=", "accepted")
    .where(
      "r.uri",
      "in",
      actors.map((a) => a.href),
    )
    .execute();
  const followers = new Set(rows.map((r) => r.uri));
  return actors.filter((a) => !followers.has(a.href));
}

/** Is one of our members in this remote group (then its Announce is what counts)? */
async function followed(db: Db, groupId: string): Promise<boolean> {
  const row = await db
    .selectFrom("forum_memberships")
    .select("id")
    .where("group_id", "=", groupId)
    .where("state", "=", "active")
    .where("user_id", "is not", null)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * A post of a remote group sent to us because it mentions our members. When we follow the group,
 * its Announce brings the post (and the mention); otherwise the post is kept here, in the group's
 * local entry (created when unknown), so the mention has something to point at.
 */
export async function onMentioningPost(
  input: InboxInput<Create | Update>,
  object: PostLike,
  targets: URL[],
): Promise<boolean> {
  const { deps, fed, senderUri, activity, log } = input;
  const db = deps.app.db;
  let group;
  for (const uri of targets) {
    group = await remoteGroup(db, uri.href);
    if (group) break;
  }
  const known = group !== undefined;
  if (group && (await followed(db, group.id))) return true;
  const sender = senderUri.href;
  if (object.attributionId?.href !== sender || !object.id || hostOf(object.id) !== hostOf(sender))
    return known;
  if ((await localMentionsOf(db, fed, object, log)).length === 0) return known;
  if (!group) {
    const audience = object.audienceId ?? activity.audienceId;
    const actor = audience
      ? await tolerate(
          fetchRemoteActor(db, fed, audience, log),
          undefined,
          log,
          "reading the audience",
        )
      : undefined;
    if (!actor || actor.type !== "Group" || !(await deps.policy.allows(actor.uri))) return false;
    await saveRemoteGroup(db, actor);
    group = await remoteGroup(db, actor.uri);
    if (!group) return false;
  }
  // Checks the author's ban and our policy, and fetches a reply's missing ancestors.
  if (!(await incomingPost(deps, fed, object, log))) return true;
  return applyGroupActivity(deps, fed, group, object, sender);
}
