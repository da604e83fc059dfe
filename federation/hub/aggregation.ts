// What the hub aggregates of each member (ADR 0120). The hub follows the member's CMCAS actor:
// every module that keeps what a followed CMCAS publishes (offers as Events today, tutorials as
// Articles when they come) stores it through its own inbox routes and backfill, so a new object
// type joins the hub without a change here. The hub admin sees, per member, the follow's state and
// how many upcoming objects have arrived so far, and the backfill's progress through the offers
// found in the outbox, as a percentage.
import { sql } from "kysely";
import type { FederationRuntime } from "../deps.ts";
import type { FollowState } from "../federation.tables.ts";
import { CMCAS_ACTOR } from "../uris.ts";
import { backfills, type Backfill } from "../follows/backfills.ts";
import type { HubMember } from "./network.ts";

export interface Progress {
  follow: FollowState | "none";
  upcoming: number;
  lastReceivedAt: Date | null;
  /** The reading of its outbox, as a share of the offers found there. */
  backfill: Backfill | undefined;
}

export async function aggregationProgress(
  runtime: FederationRuntime,
  members: readonly HubMember[],
): Promise<Map<string, Progress>> {
  const { db } = runtime.app;
  const uris = members.flatMap((m) => (m.cmcasActorUri ? [m.cmcasActorUri] : []));
  const progress = new Map<string, Progress>();
  if (uris.length === 0) return progress;
  const rows = await db
    .selectFrom("federation_remote_actors as a")
    .leftJoin("federation_follows as f", (join) =>
      join
        .onRef("f.remote_actor_id", "=", "a.id")
        .on("f.local_actor", "=", CMCAS_ACTOR)
        .on("f.direction", "=", "outgoing"),
    )
    .select([
      "a.id",
      "a.host",
      "f.state",
      sql<number>`(select count(*) from offers o where o.remote_actor_id = a.id and o.ends_at >= now())`.as(
        "upcoming",
      ),
      sql<Date | null>`(select max(o.updated_at) from offers o where o.remote_actor_id = a.id)`.as(
        "last_received_at",
      ),
    ])
    .where("a.uri", "in", uris)
    .execute();
  const read = await backfills(
    db,
    "offers",
    rows.map((r) => r.id),
  );
  for (const r of rows)
    progress.set(r.host, {
      follow: r.state ?? "none",
      upcoming: Number(r.upcoming),
      lastReceivedAt: r.last_received_at ? new Date(r.last_received_at) : null,
      backfill: read.get(r.id),
    });
  return progress;
}
