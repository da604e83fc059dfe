// Personal data on the federation side: a deleted member's actor is deleted on every instance
// that knew it (ADR 0096), and answers a Tombstone here (actors/dispatcher.ts); an actor of
// another instance that deletes itself is forgotten here, with its follows and notes.
import { Delete, PUBLIC_COLLECTION } from "@fedify/vocab";
import { sql } from "kysely";
import type { Db } from "../../server/db/database.ts";
import type { PrivacyPort } from "../../server/privacy/privacy.port.ts";
import type { FederationRuntime } from "../deps.ts";
import { route } from "../inbox/route.ts";
import type { FederationModule } from "../module.ts";
import { publish } from "../outbox.ts";
import { actorUri, newActivityId } from "../uris.ts";

/** When the member behind this actor identifier deleted their account; undefined if not. */
export async function deletedAccount(db: Db, identifier: string): Promise<Date | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(identifier)) return undefined;
  const row = await db
    .selectFrom("deleted_accounts")
    .select("deleted_at")
    .where("user_id", "=", identifier)
    .executeTakeFirst();
  return row?.deleted_at;
}

/**
 * Remote actors that know the member: their followers, those they follow, and everyone their
 * activities were addressed to. Deliveries go to shared inboxes, once per instance.
 */
async function actorsThatKnew(db: Db, userId: string): Promise<string[]> {
  const follows = await db
    .selectFrom("federation_follows as f")
    .innerJoin("federation_remote_actors as a", "a.id", "f.remote_actor_id")
    .select("a.uri")
    .where("f.local_actor", "=", userId)
    .execute();
  const addressed = await db
    .selectFrom("federation_outbox")
    .select(sql<string>`jsonb_array_elements_text(recipients)`.as("uri"))
    .where("actor", "=", userId)
    .execute();
  return [...new Set([...follows, ...addressed].map((r) => r.uri))];
}

function privacyPort(runtime: FederationRuntime): PrivacyPort {
  const { publicUrl } = runtime.app.config;
  return {
    async accountDeleted(tx, userId) {
      const actor = actorUri(publicUrl, userId);
      const del = new Delete({
        id: newActivityId(publicUrl),
        actor,
        object: actor,
        to: PUBLIC_COLLECTION,
      });
      await publish(tx, userId, del, { followers: false, to: await actorsThatKnew(tx.db, userId) });
    },
  };
}

/** `Delete` of an actor by itself: that person left their instance. */
const onActorDeleted = route<Delete>({
  name: "privacy.actorDeleted",
  activity: "Delete",
  object: "*",
  async handle(input) {
    const object = input.activity.objectId;
    if (!object || object.href !== input.senderUri.href) return false;
    const result = await input.deps.app.db
      .deleteFrom("federation_remote_actors")
      .where("uri", "=", object.href)
      .executeTakeFirst();
    input.log.info({ actor: object.href }, "remote actor deleted itself: forgotten");
    return Number(result.numDeletedRows) > 0;
  },
});

export const privacyFederation: FederationModule = {
  name: "privacy",
  ports: (runtime) => ({ privacy: privacyPort(runtime) }),
  inbox: [onActorDeleted],
};
