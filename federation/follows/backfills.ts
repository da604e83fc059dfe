// The progress of a backfill (the reading of a followed actor's outbox), kept per actor and kind
// of object so that an admin page can show it as a share of what was found (ADR 0121).
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";

export function backfillProgress(db: Db, remoteActorId: number, kind: string) {
  const row = () =>
    db
      .updateTable("federation_backfills")
      .where("remote_actor_id", "=", remoteActorId)
      .where("kind", "=", kind);
  return {
    /** A new reading: what was there before is replaced. */
    start: async (total: number) => {
      await db
        .insertInto("federation_backfills")
        .values({ remote_actor_id: remoteActorId, kind, total })
        .onConflict((oc) =>
          oc.columns(["remote_actor_id", "kind"]).doUpdateSet({
            total,
            done: 0,
            started_at: sql<Date>`now()`,
            finished_at: null,
          }),
        )
        .execute();
    },
    advance: async (done: number) => {
      await row().set({ done }).execute();
    },
    finish: async (done: number) => {
      await row()
        .set({ done, finished_at: sql<Date>`now()` })
        .execute();
    },
  };
}

export interface Backfill {
  total: number;
  done: number;
  finished: boolean;
  /** Whole percent of the objects found that have been read. */
  percent: number;
}

/** The last backfill of each of these actors, by remote actor id. */
export async function backfills(
  db: Db,
  kind: string,
  remoteActorIds: readonly number[],
): Promise<Map<number, Backfill>> {
  const result = new Map<number, Backfill>();
  if (remoteActorIds.length === 0) return result;
  const rows = await db
    .selectFrom("federation_backfills")
    .selectAll()
    .where("kind", "=", kind)
    .where("remote_actor_id", "in", remoteActorIds)
    .execute();
  for (const r of rows) {
    const finished = r.finished_at !== null;
    result.set(r.remote_actor_id, {
      total: r.total,
      done: r.done,
      finished,
      percent: finished || r.total === 0 ? 100 : Math.floor((r.done * 100) / r.total),
    });
  }
  return result;
}
