// Inbox routes of the follow protocol: Follow of a local actor (accepted or rejected by its
// policy), Accept/Reject of our Follow, Undo of a Follow, and an actor's Update of itself.
import {
  Accept,
  Follow,
  isActor,
  Reject,
  type Activity,
  type Undo,
  type Update,
} from "@fedify/vocab";
import { findRemoteActor, remoteActorFromVocab, saveRemoteActor } from "../actors/remote.ts";
import type { InboxInput } from "../inbox/route.ts";
import { route } from "../inbox/route.ts";
import { sendToActors } from "../outbox.ts";
import { newActivityId } from "../uris.ts";
import { deleteFollow, findFollow, saveFollow, setFollowState } from "./follows.repo.ts";

function localIdentifier(input: InboxInput, uri: URL | null): string | undefined {
  if (!uri) return undefined;
  const parsed = input.fed.parseUri(uri);
  return parsed?.type === "actor" ? parsed.identifier : undefined;
}

const onFollow = route<Follow>({
  name: "follows.follow",
  activity: "Follow",
  object: "*",
  async handle(input) {
    const follow = input.activity;
    const identifier = localIdentifier(input, follow.objectId);
    if (!identifier || !follow.id) return false;
    const local = await input.deps.actors.byIdentifier(identifier);
    if (!local) return true;
    const sender = await input.sender();
    // Without the follower's actor document there is no inbox to answer: let Fedify retry.
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    const { app } = input.deps;
    // The actor's policy: the CMCAS and members accept, the instance refuses, a group refuses
    // those it banned.
    const accepted =
      local.follows === "auto" && !(await local.refusesFollower?.(input.senderUri.href));
    const answer = {
      id: newActivityId(app.config.publicUrl),
      actor: follow.objectId,
      object: follow,
    };
    await app.transaction(async (tx) => {
      if (accepted) {
        await saveFollow(tx.db, {
          localActor: identifier,
          localUserId: local.userId ?? null,
          remoteActorId: sender.id,
          direction: "incoming",
          state: "accepted",
          activityId: follow.id!.href,
        });
      }
      const to = new URL(sender.uri);
      await sendToActors(
        tx,
        identifier,
        [to],
        accepted ? new Accept({ ...answer, to }) : new Reject({ ...answer, to }),
      );
    });
    return true;
  },
});

/** Our Follow that an Accept or Reject answers, if the sender is the actor we followed. */
async function answeredFollow(input: InboxInput) {
  const { db } = input.deps.app;
  const answer = input.activity;
  let record = answer.objectId
    ? await findFollow(db, { activityId: answer.objectId.href, direction: "outgoing" })
    : undefined;
  if (!record && input.objectType === "Follow") {
    // Some servers embed the Follow with another id, or none: match it by its actor and object.
    const object = await input.object();
    const local = object instanceof Follow ? localIdentifier(input, object.actorId) : undefined;
    const remote = await findRemoteActor(db, { uri: input.senderUri.href });
    if (local && remote)
      record = await findFollow(db, {
        localActor: local,
        remoteActorId: remote.id,
        direction: "outgoing",
      });
  }
  if (!record) return undefined;
  const remote = await findRemoteActor(db, { id: record.remoteActorId });
  return remote?.uri === input.senderUri.href ? record : undefined;
}

// The object of an Accept is our Follow, embedded or by its id (then its type is known from our
// outbox); an object of unknown type is matched by its id.
const onAnswer = (type: "Accept" | "Reject") =>
  route<Activity>({
    name: `follows.${type.toLowerCase()}`,
    activity: type,
    object: "*",
    async handle(input) {
      if (input.objectType !== undefined && input.objectType !== "Follow") return false;
      const record = await answeredFollow(input);
      if (!record) return false;
      await setFollowState(
        input.deps.app.db,
        record.id,
        type === "Accept" ? "accepted" : "rejected",
      );
      return true;
    },
  });

const onUndoFollow = route<Undo>({
  name: "follows.undo",
  activity: "Undo",
  object: "*",
  async handle(input) {
    if (input.objectType !== undefined && input.objectType !== "Follow") return false;
    const { db } = input.deps.app;
    const undo = input.activity;
    const remote = await findRemoteActor(db, { uri: input.senderUri.href });
    // Mastodon embeds the Follow; others name it by id only.
    let record = undo.objectId
      ? await findFollow(db, { activityId: undo.objectId.href, direction: "incoming" })
      : undefined;
    if (!record) {
      const object = await input.object();
      if (!(object instanceof Follow)) return false;
      const identifier = localIdentifier(input, object.objectId);
      record =
        identifier && remote
          ? await findFollow(db, {
              localActor: identifier,
              remoteActorId: remote.id,
              direction: "incoming",
            })
          : undefined;
    }
    if (record && record.remoteActorId === remote?.id) await deleteFollow(db, record.id);
    return record !== undefined;
  },
});

/** Update of an actor by itself: its profile changed, keep the new one. */
const onUpdateActor = route<Update>({
  name: "follows.actor-updated",
  activity: "Update",
  object: ["Person", "Organization", "Group", "Application", "Service"],
  async handle(input) {
    if (input.activity.objectId?.href !== input.senderUri.href) return false;
    const actor = await input.object();
    const fields = isActor(actor) ? await remoteActorFromVocab(actor, input.log) : undefined;
    if (fields?.uri === input.senderUri.href) await saveRemoteActor(input.deps.app.db, fields);
    return true;
  },
});

export const followsInbox = [
  onFollow,
  onAnswer("Accept"),
  onAnswer("Reject"),
  onUndoFollow,
  onUpdateActor,
];
