// Inbox handlers of the follow protocol: Follow of a local actor (accepted or rejected by its
// policy), Accept/Reject of our Follow, Undo of a Follow.
import type { Undo } from "@fedify/vocab";
import { Accept, Follow, Reject, type Activity } from "@fedify/vocab";
import { findRemoteActor } from "../actors/remote.ts";
import type { InboxHandler, InboxScope } from "../inbox/scope.ts";
import { sendToActors } from "../outbox.ts";
import { newActivityId } from "../uris.ts";
import { deleteFollow, findFollow, saveFollow, setFollowState } from "./follows.repo.ts";

function localIdentifier(scope: InboxScope, uri: URL | null): string | undefined {
  if (!uri) return undefined;
  const parsed = scope.fed.parseUri(uri);
  return parsed?.type === "actor" ? parsed.identifier : undefined;
}

export const onFollow: InboxHandler<Follow> = async (follow, scope) => {
  const identifier = localIdentifier(scope, follow.objectId);
  if (!identifier || !follow.id) return false;
  const local = await scope.deps.actors.byIdentifier(identifier);
  if (!local) return true;
  const sender = await scope.sender();
  // Without the follower's actor document there is no inbox to answer: let Fedify retry.
  if (!sender) throw new Error(`cannot fetch the actor ${scope.senderUri.href}`);
  const { app } = scope.deps;
  const accepted = local.follows === "auto";
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
};

/** Our Follow that an Accept or Reject answers, if the sender is the actor we followed. */
async function answeredFollow(answer: Activity, scope: InboxScope) {
  const { db } = scope.deps.app;
  let record = answer.objectId
    ? await findFollow(db, { activityId: answer.objectId.href, direction: "outgoing" })
    : undefined;
  if (!record) {
    // Some servers embed the Follow with another id, or none: match it by its actor and object.
    const object = await answer.getObject({ crossOrigin: "ignore" }).catch(() => null);
    const local = object instanceof Follow ? localIdentifier(scope, object.actorId) : undefined;
    const remote = await findRemoteActor(db, { uri: scope.senderUri.href });
    if (local && remote)
      record = await findFollow(db, {
        localActor: local,
        remoteActorId: remote.id,
        direction: "outgoing",
      });
  }
  if (!record) return undefined;
  const remote = await findRemoteActor(db, { id: record.remoteActorId });
  return remote?.uri === scope.senderUri.href ? record : undefined;
}

export const onAccept: InboxHandler<Accept> = async (accept, scope) => {
  const record = await answeredFollow(accept, scope);
  if (!record) return false;
  await setFollowState(scope.deps.app.db, record.id, "accepted");
  return true;
};

export const onReject: InboxHandler<Reject> = async (reject, scope) => {
  const record = await answeredFollow(reject, scope);
  if (!record) return false;
  await setFollowState(scope.deps.app.db, record.id, "rejected");
  return true;
};

export const onUndoFollow: InboxHandler<Undo> = async (undo, scope) => {
  const { db } = scope.deps.app;
  const remote = await findRemoteActor(db, { uri: scope.senderUri.href });
  // Mastodon embeds the Follow; others name it by id only.
  let record = undo.objectId
    ? await findFollow(db, { activityId: undo.objectId.href, direction: "incoming" })
    : undefined;
  if (!record) {
    const object = await undo.getObject({ crossOrigin: "ignore" }).catch(() => null);
    if (!(object instanceof Follow)) return false;
    const identifier = localIdentifier(scope, object.objectId);
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
};
