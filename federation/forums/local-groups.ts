// Activities about forum posts: members of other instances writing in our groups (`Create`/
// `Update` of Page, Article or Note, checked by the forums service then announced by the group to
// its followers), posts of remote groups that mention our members, authors' deletions, and
// reports (`Flag`). A post names its group in `audience`, `to` or `cc`; a Note that names none is
// not the forums' (followed people's notes, offers' messages).
import { Reject, type Create, type Delete, type Flag, type Update } from "@fedify/vocab";
import type { Refusal } from "../../server/forums/incoming.service.ts";
import { removeIncoming } from "../../server/forums/incoming-moderation.ts";
import { receivePostInGroup } from "../../server/forums/incoming.service.ts";
import { findLocalPost, findPostByApId } from "../../server/forums/post-ids.ts";
import { reportFromRemote } from "../../server/forums/remote-groups.service.ts";
import { route, type InboxInput } from "../inbox/route.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, hostOf, newActivityId } from "../uris.ts";
import { announceInGroup } from "./announce.ts";
import { incomingPost, isPostLike, localGroupAmong, targetsOf } from "./inbound-shared.ts";
import { onMentioningPost } from "./mentions.ts";
import { postObject } from "./objects.ts";
import { moderationFromGroupHost } from "./remote-groups.ts";

/** Why a post was refused, as its author's server shows it (in French, as our groups are). */
const REFUSALS: Record<Refusal, string> = {
  banned: "Vous êtes exclu de ce groupe.",
  moderators_only: "Dans ce groupe, seuls les modérateurs peuvent ouvrir un sujet.",
  locked: "Ce sujet est verrouillé ou retiré : les réponses n'y sont plus acceptées.",
  not_member: "Seuls les membres admis de ce groupe peuvent y écrire.",
};

/** Create or Update of a post for one of our groups, or for a remote group we know. */
async function onPostActivity(input: InboxInput<Create | Update>): Promise<boolean> {
  const { app } = input.deps;
  const { activity, fed } = input;
  const object = await input.object();
  if (!isPostLike(object)) return false;
  const targets = targetsOf(object, activity);
  let group = await localGroupAmong(app.db, fed, targets);
  if (!group && object.replyTargetId) {
    const parent = await findLocalPost(app.db, app.config.publicUrl, object.replyTargetId.href);
    const found = parent ? await postObject(app.db, app.config.publicUrl, parent.id) : undefined;
    if (found?.groupIdentifier)
      group = await localGroupAmong(app.db, fed, [new URL(found.groupUri)]);
  }
  // Addressed to a remote group: its Announce is what counts, unless the post is here because
  // it mentions our members and we do not follow the group.
  if (!group) return onMentioningPost(input, object, targets);
  const sender = input.senderUri.href;
  if (object.attributionId?.href !== sender || !object.id || hostOf(object.id) !== hostOf(sender))
    return true;
  const post = await incomingPost(input.deps, fed, object, input.log);
  if (!post) return true;
  const local = group;
  await app.transaction(async (tx) => {
    const outcome = await receivePostInGroup(tx, app.config.publicUrl, local, post);
    if (outcome.kind === "refused") {
      input.log.info({ group: local.slug, refused: outcome.refusal }, "post refused by the group");
      // Its author's server hears of it (rather than a silent 202): the group rejects the activity.
      const to = new URL(sender);
      await sendToActors(
        tx,
        local.slug,
        [to],
        new Reject({
          id: newActivityId(app.config.publicUrl),
          actor: actorUri(app.config.publicUrl, local.slug),
          object: activity.id ?? object.id,
          summary: REFUSALS[outcome.refusal],
          content: REFUSALS[outcome.refusal],
          to,
        }),
      );
      return;
    }
    if (outcome.kind !== "created" && outcome.kind !== "updated") return;
    // A new post is in this group, which is all its announces need (no second read of it); an
    // edited one is announced where it lives.
    const found =
      outcome.kind === "created"
        ? {
            groupIdentifier: local.slug,
            groupUri: actorUri(app.config.publicUrl, local.slug).href,
            visibility: local.visibility,
          }
        : await postObject(tx.db, app.config.publicUrl, outcome.postId);
    if (found) await announceInGroup(tx, app.config.publicUrl, found, activity);
  });
  return true;
}

const onPost = route<Create | Update>({
  name: "forums.post",
  activity: ["Create", "Update"],
  object: ["Page", "Article", "Note"],
  handle: onPostActivity,
});

/** Delete of a post: by its author (our group announces the removal), or by a remote group's
 * moderators (applied like an announced one). */
const onDelete = route<Delete>({
  name: "forums.delete",
  activity: "Delete",
  object: "*",
  async handle(input) {
    const { app } = input.deps;
    const uri = input.activity.objectId;
    if (!uri) return false;
    const post = await findPostByApId(app.db, app.config.publicUrl, uri.href);
    if (!post) return false;
    const found = await postObject(app.db, app.config.publicUrl, post.id);
    if (!found) return false;
    if (!found.groupIdentifier) return moderationFromGroupHost(input);
    if (found.authorUri !== input.senderUri.href) return true;
    await app.transaction(async (tx) => {
      await removeIncoming(tx, app.config.publicUrl, post, {
        reason: "Supprimé par son auteur",
        by: found.authorUri!,
        byAuthor: true,
      });
      await announceInGroup(tx, app.config.publicUrl, found, input.activity);
    });
    return true;
  },
});

/** A report (Flag) about posts of our groups, from another instance: into the group's queue. */
const onFlag = route<Flag>({
  name: "forums.flag",
  activity: "Flag",
  object: "*",
  async handle(input) {
    const { app } = input.deps;
    const flag = input.activity;
    let handled = false;
    for (const uri of flag.objectIds) {
      const local = await findLocalPost(app.db, app.config.publicUrl, uri.href);
      if (!local) continue;
      const reported = await app.transaction((tx) =>
        reportFromRemote(tx, {
          postId: local.id,
          reporterUri: input.senderUri.href,
          // Mastodon puts the reporter's comment in `content`, Lemmy and we in `summary`.
          reason: flag.summary?.toString().trim() || flag.content?.toString().trim() || "—",
          apId: flag.id?.href ?? null,
        }),
      );
      handled ||= reported;
    }
    return handled;
  },
});

export const localGroupsInbox = [onPost, onDelete, onFlag];
