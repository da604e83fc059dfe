// A post removed by moderation, then restored (issue 16 item 18). Lemmy sends the restoration
// as an `Undo` of the removal, announced by the community; we do the same both ways:
// - a moderator restores a post of one of our federated groups: the group announces an `Undo`
//   whose object is a `Delete` of the post by the group (the reason of the restoration as the
//   Undo's `summary`), to the group's followers;
// - from a followed group: an `Undo` of a `Delete` or `Remove` of one of its posts, announced by
//   the group or sent by the group or one of its moderators, shows the post again here.
import { Delete, Remove, Undo } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { newActivityId } from "../uris.ts";
import { addressing, announceInGroup, federates } from "./announce.ts";
import type { PostObject } from "./objects.ts";

export async function sendRestore(
  tx: Tx,
  publicUrl: URL,
  found: PostObject,
  reason: string,
): Promise<void> {
  if (!federates(found) || found.removed || !found.object.id) return;
  const group = new URL(found.groupUri);
  const common = { actor: group, audience: group, ...addressing(found, publicUrl) };
  const removal = new Delete({ id: newActivityId(publicUrl), object: found.object.id, ...common });
  const undo = new Undo({
    id: newActivityId(publicUrl),
    object: removal,
    summary: reason || null,
    ...common,
  });
  await announceInGroup(tx, publicUrl, found, undo);
}

/** The post an undone activity removed: the object of an undone `Delete` or `Remove`. */
export function undoneRemovalTarget(inner: unknown): URL | null | undefined {
  if (inner instanceof Delete || inner instanceof Remove) return inner.objectId;
  return undefined;
}
