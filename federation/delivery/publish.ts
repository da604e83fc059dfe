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
  outboxId: number,
): Promise<void> {
  const { db, log } = deps.app;
  const row = await db
    .selectFrom("federation_outbox")
    .selectAll()
    .where("id", "=", outboxId)
    .where("dispatched_at", "is", null)
    .executeTakeFirst();
  if (!row) return;
  const parsed = await Activity.fromJsonLd(row.activity, fctx);
  const activity = row.object_extras ? withObjectExtras(parsed, row.object_extras) : parsed;
  const targets = new Map<string, RemoteActor>();
  if (row.to_followers)
    for (const actor of await followerActors(db, row.actor)) targets.set(actor.uri, actor);
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
  const origin = originElsewhere(activity, deps.app.config.publicUrl.host);
  const recipients = [];
  for (const actor of targets.values())
    if (actor.host !== origin && (await deps.policy.allows(actor.host)))
      recipients.push(recipientOf(actor));
  if (recipients.length > 0) {
    await fctx.sendActivity({ identifier: row.actor }, recipients, activity, {
      preferSharedInbox: true,
      // The fan-out already runs in a job: queue the deliveries from here.
      fanout: "skip",
    });
  }
  await db
    .updateTable("federation_outbox")
    .set({ dispatched_at: new Date() })
    .where("id", "=", outboxId)
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
