import { sql, type Selectable } from "kysely";
import type { Db } from "../../server/db/database.ts";
import type { FederationTables, FollowDirection, FollowState } from "../federation.tables.ts";
import { toRemoteActor, type RemoteActor, type RemoteActorRow } from "../actors/remote.ts";

type Row = Selectable<FederationTables["federation_follows"]>;

export interface FollowRecord {
  id: number;
  localActor: string;
  localUserId: string | null;
  remoteActorId: number;
  direction: FollowDirection;
  state: FollowState;
  activityId: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface FollowWithActor extends FollowRecord {
  remote: RemoteActor;
}

function toRecord(row: Row): FollowRecord {
  return {
    id: row.id,
    localActor: row.local_actor,
    localUserId: row.local_user_id,
    remoteActorId: row.remote_actor_id,
    direction: row.direction,
    state: row.state,
    activityId: row.activity_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function saveFollow(
  db: Db,
  follow: Pick<
    FollowRecord,
    "localActor" | "localUserId" | "remoteActorId" | "direction" | "state" | "activityId"
  >,
): Promise<FollowRecord> {
  const row = await db
    .insertInto("federation_follows")
    .values({
      local_actor: follow.localActor,
      local_user_id: follow.localUserId,
      remote_actor_id: follow.remoteActorId,
      direction: follow.direction,
      state: follow.state,
      activity_id: follow.activityId,
    })
    .onConflict((oc) =>
      oc.columns(["local_actor", "remote_actor_id", "direction"]).doUpdateSet({
        state: follow.state,
        activity_id: follow.activityId,
        updated_at: new Date(),
      }),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toRecord(row);
}

export async function findFollow(
  db: Db,
  by:
    | { id: number }
    | { activityId: string; direction: FollowDirection }
    | { localActor: string; remoteActorId: number; direction: FollowDirection },
): Promise<FollowRecord | undefined> {
  let query = db.selectFrom("federation_follows").selectAll();
  if ("id" in by) query = query.where("id", "=", by.id);
  else if ("activityId" in by)
    query = query.where("activity_id", "=", by.activityId).where("direction", "=", by.direction);
  else
    query = query
      .where("local_actor", "=", by.localActor)
      .where("remote_actor_id", "=", by.remoteActorId)
      .where("direction", "=", by.direction);
  const row = await query.executeTakeFirst();
  return row ? toRecord(row) : undefined;
}

export async function setFollowState(db: Db, id: number, state: FollowState): Promise<void> {
  await db
    .updateTable("federation_follows")
    .set({ state, updated_at: new Date() })
    .where("id", "=", id)
    .execute();
}

export async function deleteFollow(db: Db, id: number): Promise<void> {
  await db.deleteFrom("federation_follows").where("id", "=", id).execute();
}

/** Follows of one local actor in one direction, newest first, with the remote actor. */
export async function listFollows(
  db: Db,
  localActor: string,
  direction: FollowDirection,
  options: { state?: FollowState; limit?: number; beforeId?: number } = {},
): Promise<FollowWithActor[]> {
  let query = db
    .selectFrom("federation_follows as f")
    .innerJoin("federation_remote_actors as a", "a.id", "f.remote_actor_id")
    .selectAll("f")
    .select(sql<RemoteActorRow>`to_jsonb(a)`.as("actor"))
    .where("f.local_actor", "=", localActor)
    .where("f.direction", "=", direction)
    .orderBy("f.id", "desc");
  if (options.limit !== undefined) query = query.limit(options.limit);
  if (options.state) query = query.where("f.state", "=", options.state);
  if (options.beforeId !== undefined) query = query.where("f.id", "<", options.beforeId);
  const rows = await query.execute();
  return rows.map(({ actor, ...row }) => ({
    ...toRecord(row),
    remote: toRemoteActor({
      ...actor,
      fetched_at: new Date(actor.fetched_at),
      created_at: new Date(actor.created_at),
    }),
  }));
}

export async function countFollows(
  db: Db,
  localActor: string,
  direction: FollowDirection,
): Promise<number> {
  const row = await db
    .selectFrom("federation_follows")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("local_actor", "=", localActor)
    .where("direction", "=", direction)
    .where("state", "=", "accepted")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The remote actors following a local actor (where its activities are delivered). */
export async function followerActors(db: Db, localActor: string): Promise<RemoteActor[]> {
  return (await listFollows(db, localActor, "incoming", { state: "accepted" })).map(
    (f) => f.remote,
  );
}

/** Local members following a remote actor (who get notified of its public posts). */
export async function localFollowersOf(db: Db, remoteActorId: number): Promise<string[]> {
  const rows = await db
    .selectFrom("federation_follows")
    .select("local_user_id")
    .where("remote_actor_id", "=", remoteActorId)
    .where("direction", "=", "outgoing")
    .where("state", "=", "accepted")
    .where("local_user_id", "is not", null)
    .execute();
  return rows.map((r) => r.local_user_id!);
}
