// The job behind the outbound port: reads an activity from the outbox, works out its inboxes
// (followers, named actors; shared inboxes when offered; only allowed instances) and hands it to
// Fedify, which signs it once and queues one delivery per inbox.
import type { Context } from "@fedify/fedify";
import { Activity, Announce } from "@fedify/vocab";
import { sql } from "kysely";
import { recipientOf, resolveRemoteActor, type RemoteActor } from "../actors/remote.ts";
import type { FederationDeps } from "../deps.ts";
import { withObjectExtras } from "../extras.ts";
import { followerActors } from "../follows/follows.repo.ts";
import { tolerate } from "../tolerate.ts";
import { hostOf } from "../uris.ts";
import { once } from "../../server/lib/once.ts";

/** The server an announced activity comes from, when it is not ours: it has that activity
 * already, and some software (NodeBB) refuses its own activities relayed back (424). */
function originElsewhere(activity: Activity, ownHost: string): string | undefined {
  if (!(activity instanceof Announce) || !activity.objectId) return undefined;
  const origin = hostOf(activity.objectId);
  return origin === ownHost ? undefined : origin;
}

export async function dispatchOutbox(
  deps: FederationDeps,
  fctx: Context<void>,
  outboxIds: readonly number[],
): Promise<void> {
  const { db, log } = deps.app;
  if (outboxIds.length === 0) return;
  // The activities of one transaction, read at once and sent in order; the followers of their
  // actor are read once for all of them.
  const rows = await db
    .selectFrom("federation_outbox")
    .selectAll()
    .where("id", "in", outboxIds)
    .where("dispatched_at", "is", null)
    .orderBy("id")
    .execute();
  const followers = new Map<string, Promise<RemoteActor[]>>();
  // The policy's answer per host, asked once: a thousand followers live on a few dozen hosts.
  const allowed = new Map<string, Promise<boolean>>();
  const allows = (host: string) => once(allowed, host, () => deps.policy.allows(host));
  const unsent: number[] = [];
  for (const row of rows) {
    const targets = new Map<string, RemoteActor>();
    if (row.to_followers) {
      const actors = await once(followers, row.actor, () => followerActors(db, row.actor));
      for (const actor of actors) targets.set(actor.uri, actor);
    }
    for (const uri of row.recipients) {
      if (targets.has(uri)) continue;
      const actor = await tolerate(
        resolveRemoteActor(db, fctx, uri),
        undefined,
        log.child({ activity: row.activity_id, recipient: uri }),
        "reading a recipient",
      );
      if (actor) targets.set(uri, actor);
      else log.warn({ activity: row.activity_id, recipient: uri }, "recipient not found: skipped");
    }
    // Parsed (a JSON-LD expansion) only when someone is to receive it: a group without remote
    // followers announces each new topic for its outbox alone.
    const activity =
      targets.size > 0
        ? await Activity.fromJsonLd(row.activity, fctx).then((parsed) =>
            row.object_extras ? withObjectExtras(parsed, row.object_extras) : parsed,
          )
        : undefined;
    const origin = activity && originElsewhere(activity, deps.app.config.publicUrl.host);
    const recipients = [];
    for (const actor of targets.values())
      if (actor.host !== origin && (await allows(actor.host))) recipients.push(recipientOf(actor));
    if (!activity || recipients.length === 0) {
      unsent.push(row.id);
      continue;
    }
    await fctx.sendActivity({ identifier: row.actor }, recipients, activity, {
      preferSharedInbox: true,
      // The fan-out already runs in a job: queue the deliveries from here.
      fanout: "skip",
    });
    // Marked once its deliveries are queued: a job run again after a crash sends the rest only.
    await markDispatched(deps, [row.id]);
  }
  await markDispatched(deps, unsent);
}

async function markDispatched(deps: FederationDeps, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await deps.app.db
    .updateTable("federation_outbox")
    .set({ dispatched_at: new Date() })
    .where("id", "in", ids)
    .execute();
}

/** Outbox rows whose job was lost (a crash between commit and enqueue). */
export async function undispatched(deps: FederationDeps): Promise<number[]> {
  const rows = await deps.app.db
    .selectFrom("federation_outbox")
    .select("id")
    .where("dispatched_at", "is", null)
    .where("created_at", "<", sql<Date>`now() - interval '10 minutes'`)
    .orderBy("id")
    .limit(1000)
    .execute();
  return rows.map((r) => r.id);
}
