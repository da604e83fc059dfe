// The hub's side of the network (ADR 0120): member instances ask to join with a Join of their
// instance actor; the hub admin accepts, suspends or removes them; the list of accepted members
// is served as an ActivityStreams collection signed with an integrity proof of the hub's instance
// actor and dated, so a member can keep a copy and check it without the hub.
import "../temporal.ts";
import { signObject } from "@fedify/fedify";
import { OrderedCollection } from "@fedify/vocab";
import { follow, unfollow } from "../follows/follows.service.ts";
import { findFollow } from "../follows/follows.repo.ts";
import { findRemoteActor } from "../actors/remote.ts";
import type { Db } from "../../server/db/database.ts";
import type { FederationRuntime } from "../deps.ts";
import type { HubMemberState } from "../federation.tables.ts";
import { CMCAS_ACTOR, INSTANCE_ACTOR, actorUri, hostOf } from "../uris.ts";

export const NETWORK_PATH = "/hub/network";

export interface HubMember {
  host: string;
  actorUri: string;
  name: string;
  state: HubMemberState;
  requestedAt: Date;
  decidedAt: Date | null;
  cmcasActorUri: string | null;
}

/** A Join of a member's instance actor: recorded pending (a removed instance may ask again). */
export async function recordJoinRequest(
  db: Db,
  request: { actorUri: string; name: string; activityId: string },
): Promise<void> {
  const host = hostOf(request.actorUri);
  await db
    .insertInto("hub_members")
    .values({
      host,
      actor_uri: request.actorUri,
      name: request.name,
      join_activity_id: request.activityId,
    })
    .onConflict((oc) =>
      oc.column("host").doUpdateSet({
        actor_uri: request.actorUri,
        name: request.name,
        join_activity_id: request.activityId,
        requested_at: new Date(),
      }),
    )
    .execute();
}

export async function listMembers(runtime: FederationRuntime): Promise<HubMember[]> {
  const rows = await runtime.app.db
    .selectFrom("hub_members")
    .selectAll()
    .orderBy("state")
    .orderBy("name")
    .execute();
  return rows.map((r) => ({
    host: r.host,
    actorUri: r.actor_uri,
    name: r.name,
    state: r.state,
    requestedAt: r.requested_at,
    decidedAt: r.decided_at,
    cmcasActorUri: r.cmcas_actor_uri,
  }));
}

export type Decision = "accept" | "suspend" | "remove";

/**
 * Applies the hub admin's decision. Accepting allows the member's domain (the hub follows it
 * even in allowlist mode) and follows its CMCAS actor, which aggregates its offers (and whatever
 * other modules keep of a followed CMCAS); suspending or removing stops following it.
 */
export async function decide(
  runtime: FederationRuntime,
  host: string,
  decision: Decision,
): Promise<boolean> {
  const { app } = runtime;
  const member = await app.db
    .selectFrom("hub_members")
    .selectAll()
    .where("host", "=", host)
    .executeTakeFirst();
  if (!member) return false;
  if (decision === "accept") {
    await runtime.policy.allowForNetwork(host);
    const cmcas = await runtime.lookup(`@${CMCAS_ACTOR}@${host}`);
    await app.transaction(async (tx) => {
      await tx.db
        .updateTable("hub_members")
        .set({
          state: "accepted",
          decided_at: new Date(),
          cmcas_actor_uri: cmcas.ok ? cmcas.value.uri : null,
        })
        .where("host", "=", host)
        .execute();
      if (cmcas.ok)
        await follow(tx, app.config.publicUrl, { identifier: CMCAS_ACTOR }, cmcas.value);
    });
    return true;
  }
  await app.transaction(async (tx) => {
    if (member.cmcas_actor_uri) {
      const remote = await findRemoteActor(tx.db, { uri: member.cmcas_actor_uri });
      const record = remote
        ? await findFollow(tx.db, {
            localActor: CMCAS_ACTOR,
            remoteActorId: remote.id,
            direction: "outgoing",
          })
        : undefined;
      if (remote && record) await unfollow(tx, app.config.publicUrl, { ...record, remote });
    }
    if (decision === "suspend")
      await tx.db
        .updateTable("hub_members")
        .set({ state: "suspended", decided_at: new Date() })
        .where("host", "=", host)
        .execute();
    else await tx.db.deleteFrom("hub_members").where("host", "=", host).execute();
  });
  return true;
}

/** The accepted members' instance actors, as a collection signed by the hub's instance actor. */
export async function networkDocument(runtime: FederationRuntime): Promise<unknown> {
  const { app } = runtime;
  const members = await app.db
    .selectFrom("hub_members")
    .select(["actor_uri", "decided_at"])
    .where("state", "=", "accepted")
    .orderBy("host")
    .execute();
  const hub = actorUri(app.config.publicUrl, INSTANCE_ACTOR);
  const collection = new OrderedCollection({
    id: new URL(NETWORK_PATH, app.config.publicUrl),
    attribution: hub,
    name: (await app.settings.get()).name,
    updated: Temporal.Now.instant().round({ smallestUnit: "second" }),
    totalItems: members.length,
    items: members.map((m) => new URL(m.actor_uri)),
  });
  // The Ed25519 key (the second one) makes the proof; the actor lists it as `#multikey-2`.
  const pairs = await runtime.keys.pairs(INSTANCE_ACTOR);
  const signed = await signObject(
    collection,
    pairs[1]!.privateKey,
    new URL(`${hub.href}#multikey-2`),
    { contextLoader: runtime.context().contextLoader },
  );
  return signed.toJsonLd({ format: "compact", contextLoader: runtime.context().contextLoader });
}
