// The activities we send are served at their ids (`/activities/<uuid>`): software that does not
// trust an activity embedded in another (a group's Announce, FEP-1b12) fetches it from its origin
// to check it. Nothing new is stored: each is read back from the outbox row written when it was
// sent, and an activity that only travelled inside an Announce from that Announce's row.
//
// Each is served with its object's visibility, not with a visibility of its own: the module that
// owns the object says whether the requester may read it now (a post of a network group: only an
// allowed instance's signed fetch; a removed post: gone, so its Create answers 410). An object no
// module claims (a remote one, e.g. the post of a Like) falls back to the activity's addressing:
// public, or a signed fetch by an instance it was sent to.
import type { RequestContext } from "@fedify/fedify";
import { sql } from "kysely";
import type { Db } from "../server/db/database.ts";
import type { FederationDeps } from "./deps.ts";
import { allowedSigner } from "./signed.ts";
import { hostOf } from "./uris.ts";

type Json = Record<string, unknown>;

/** What the requester may see of one of our objects, by its owning module. */
export type ObjectAccess = "visible" | "hidden" | "gone";

/**
 * A module's check of one of its objects' URIs; undefined when the URI is not one of its own.
 * `signer` gives the allowed instance that signed the request, or null (read only when needed).
 */
export type ObjectAccessCheck = (
  uri: URL,
  signer: () => Promise<string | null>,
) => Promise<ObjectAccess | undefined>;

export interface StoredActivity {
  json: Json;
  actor: string;
  public: boolean;
  toFollowers: boolean;
  recipients: string[];
}

const parse = (value: unknown): Json =>
  (typeof value === "string" ? JSON.parse(value) : value) as Json;

/** The activity with this id as we sent it, alone or embedded in an Announce of ours. */
export async function storedActivity(db: Db, id: string): Promise<StoredActivity | undefined> {
  const columns = ["actor", "activity", "public", "to_followers", "recipients"] as const;
  const own = await db
    .selectFrom("federation_outbox")
    .select(columns)
    .where("activity_id", "=", id)
    .executeTakeFirst();
  // The embedded one is found by the expression index of migration 0166.
  const row =
    own ??
    (await db
      .selectFrom("federation_outbox")
      .select(columns)
      .where(sql<string>`activity->'object'->>'id'`, "=", id)
      .where("activity_type", "=", "Announce")
      .orderBy("id")
      .limit(1)
      .executeTakeFirst());
  if (!row) return undefined;
  const activity = parse(row.activity);
  const json = own ? activity : { "@context": activity["@context"], ...(activity.object as Json) };
  return {
    json,
    actor: row.actor,
    public: row.public,
    toFollowers: row.to_followers,
    recipients: (parse(row.recipients) as unknown as string[]) ?? [],
  };
}

/** The object an activity is about: an Announce's or Undo's embedded activity's, recursively. */
export function targetOf(json: Json): string | undefined {
  const object = json.object;
  if (typeof object === "string") return object;
  if (object && typeof object === "object") {
    const embedded = object as Json;
    if ("actor" in embedded) return targetOf(embedded);
    return typeof embedded.id === "string" ? embedded.id : undefined;
  }
  return undefined;
}

/** A Delete (alone, announced or undone) still says something once its object is gone. */
function aboutDeletion(json: Json): boolean {
  if (json.type === "Delete") return true;
  const object = json.object;
  return typeof object === "object" && object !== null && aboutDeletion(object as Json);
}

/** Sent to the signer's instance: named as a recipient, or following the sending actor. */
async function sentTo(db: Db, stored: StoredActivity, host: string): Promise<boolean> {
  if (stored.recipients.some((uri) => URL.canParse(uri) && hostOf(uri) === host)) return true;
  if (!stored.toFollowers) return false;
  const follower = await db
    .selectFrom("federation_follows as f")
    .innerJoin("federation_remote_actors as r", "r.id", "f.remote_actor_id")
    .select("f.id")
    .where("f.local_actor", "=", stored.actor)
    .where("f.direction", "=", "incoming")
    .where("f.state", "=", "accepted")
    .where("r.host", "=", host)
    .executeTakeFirst();
  return follower !== undefined;
}

export async function activityAccess(
  ctx: RequestContext<void>,
  deps: FederationDeps,
  checks: readonly ObjectAccessCheck[],
  stored: StoredActivity,
): Promise<ObjectAccess> {
  let signer: Promise<string | null> | undefined;
  const signed = () => (signer ??= allowedSigner(ctx, deps));
  const target = targetOf(stored.json);
  const publicUrl = deps.app.config.publicUrl;
  if (target && URL.canParse(target) && new URL(target).origin === publicUrl.origin) {
    for (const check of checks) {
      const access = await check(new URL(target), signed);
      if (access === undefined) continue;
      if (access !== "gone" || !aboutDeletion(stored.json)) return access;
      break;
    }
  }
  if (stored.public) return "visible";
  const host = await signed();
  return host !== null && (await sentTo(deps.app.db, stored, host)) ? "visible" : "hidden";
}
