// Following remote actors, and answering remote actors who follow ours.
import { Follow, Undo } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import type { LocalActor } from "../actors/local.ts";
import type { LookupError } from "../actors/lookup.ts";
import { findRemoteActor, type RemoteActor } from "../actors/remote.ts";
import type { FederationRuntime } from "../deps.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, newActivityId } from "../uris.ts";
import {
  deleteFollow,
  findFollow,
  listFollows,
  saveFollow,
  type FollowRecord,
  type FollowWithActor,
} from "./follows.repo.ts";

/** Sends a Follow unless one is pending or accepted already; a rejected follow is asked again. */
export async function follow(
  tx: Tx,
  publicUrl: URL,
  local: Pick<LocalActor, "identifier" | "userId">,
  remote: RemoteActor,
): Promise<FollowRecord> {
  const existing = await findFollow(tx.db, {
    localActor: local.identifier,
    remoteActorId: remote.id,
    direction: "outgoing",
  });
  if (existing && existing.state !== "rejected") return existing;
  const id = newActivityId(publicUrl);
  const record = await saveFollow(tx.db, {
    localActor: local.identifier,
    localUserId: local.userId ?? null,
    remoteActorId: remote.id,
    direction: "outgoing",
    state: "pending",
    activityId: id.href,
  });
  const target = new URL(remote.uri);
  await sendToActors(
    tx,
    local.identifier,
    [target],
    new Follow({ id, actor: actorUri(publicUrl, local.identifier), object: target, to: target }),
  );
  return record;
}

export async function unfollow(tx: Tx, publicUrl: URL, record: FollowWithActor): Promise<void> {
  await deleteFollow(tx.db, record.id);
  const actor = actorUri(publicUrl, record.localActor);
  const target = new URL(record.remote.uri);
  await sendToActors(
    tx,
    record.localActor,
    [target],
    new Undo({
      id: newActivityId(publicUrl),
      actor,
      object: new Follow({ id: new URL(record.activityId), actor, object: target }),
      to: target,
    }),
  );
}

export type FollowTargetError = LookupError | "not_discoverable";

/** A local actor follows what a person typed (handle or URL). A member must be discoverable:
 * the remote instance has to fetch their actor to check the Follow's signature. */
export async function followTarget(
  runtime: FederationRuntime,
  localIdentifier: string,
  target: string,
): Promise<Result<FollowWithActor, FollowTargetError>> {
  const local = await runtime.actors.byIdentifier(localIdentifier);
  if (!local) return fail("not_discoverable");
  const found = await runtime.lookup(target);
  if (!found.ok) return found;
  const { app } = runtime;
  const record = await app.transaction((tx) =>
    follow(tx, app.config.publicUrl, local, found.value),
  );
  return ok({ ...record, remote: found.value });
}

/** Stops following; undefined when the follow is not one of this local actor's. */
export async function unfollowById(
  runtime: FederationRuntime,
  localIdentifier: string,
  followId: number,
): Promise<FollowWithActor | undefined> {
  const { app } = runtime;
  return app.transaction(async (tx) => {
    const record = await findFollow(tx.db, { id: followId });
    if (!record || record.localActor !== localIdentifier || record.direction !== "outgoing")
      return undefined;
    const remote = await findRemoteActor(tx.db, { id: record.remoteActorId });
    if (!remote) return undefined;
    const withActor = { ...record, remote };
    await unfollow(tx, app.config.publicUrl, withActor);
    return withActor;
  });
}

/** The follows shown to people: those of instances the policy still allows. */
export async function visibleFollows(
  runtime: FederationRuntime,
  localIdentifier: string,
): Promise<FollowWithActor[]> {
  const all = await listFollows(runtime.app.db, localIdentifier, "outgoing", { limit: 500 });
  const visible: FollowWithActor[] = [];
  for (const f of all) if (await runtime.policy.allows(f.remote.host)) visible.push(f);
  return visible;
}
