// Our federated groups relay what happens in them (FEP-1b12): the group announces its members'
// activities, and its own moderation, to its followers.
import { Announce, Create, PUBLIC_COLLECTION, type Activity } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import type { ObjectExtras } from "../extras.ts";
import { publishAll, type Publication } from "../outbox.ts";
import { announceIdJson, announceJson, type AnnounceFields } from "./announce-json.ts";
import { actorUri, newActivityId } from "../uris.ts";
import { FEDERATED_VISIBILITIES } from "./group-actors.ts";
import type { PostObject } from "./objects.ts";

/** What the group's announces need to know of a post: its group and who may read it. */
export type GroupAddress = Pick<PostObject, "groupIdentifier" | "groupUri" | "visibility">;

/** Whether a post is in one of our groups that federate. */
export const federates = (found: PostObject) =>
  found.groupIdentifier !== null &&
  (FEDERATED_VISIBILITIES as readonly string[]).includes(found.visibility);

export function addressing(found: GroupAddress, publicUrl: URL) {
  const followers = new URL(`${actorUri(publicUrl, found.groupIdentifier!).href}/followers`);
  return found.visibility === "public"
    ? { to: PUBLIC_COLLECTION, ccs: [followers] }
    : { to: followers, ccs: [] };
}

/** The group announces `activity` (a member's Create/Update, or its own Delete, Lock or Undo)
 * to its followers. A new post of a public group is also announced as the bare object, by its id
 * (as Lemmy does): microblog software (Mastodon-API servers) drops `Announce` of an activity and
 * shows a boost of the post instead (issue 16 item 13). */
export async function announceInGroup(
  tx: Tx,
  publicUrl: URL,
  found: GroupAddress,
  activity: Activity,
  objectExtras?: ObjectExtras,
): Promise<void> {
  const group = found.groupIdentifier!;
  const fields = () => ({
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, group),
    ...addressing(found, publicUrl),
    audience: new URL(found.groupUri),
  });
  const announce = (f: AnnounceFields, object: Activity | URL) => new Announce({ ...f, object });
  const first = fields();
  // Written as JSON when the activity came from elsewhere under a context that allows it
  // (announce-json.ts); extras need Fedify's compaction (their terms are in its context).
  const json = objectExtras ? undefined : await announceJson(first, activity);
  const items: Publication[] = [
    {
      activity: announce(first, activity),
      audience: { followers: true, to: [], objectExtras },
      ...(json ? { json } : {}),
    },
  ];
  if (activity instanceof Create && found.visibility === "public" && activity.objectId) {
    const second = fields();
    items.push({
      activity: announce(second, activity.objectId),
      audience: { followers: true, to: [] },
      json: announceIdJson(second, activity.objectId),
    });
  }
  // Both in one statement.
  await publishAll(tx, group, items);
}
