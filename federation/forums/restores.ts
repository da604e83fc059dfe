// A post removed by moderation, then restored (issue 16 item 18). Lemmy sends the restoration
// as an `Undo` of the removal, announced by the community; we do the same both ways:
// - a moderator restores a post of one of our federated groups: the group announces an `Undo`
//   whose object is a `Delete` of the post by the group (the reason of the restoration as the
//   Undo's `summary`), to the group's followers; for a topic, it also undoes the Delete of the
//   topic's context and announces the opening post's Create again;
// - from a followed group: an `Undo` of a `Delete` or `Remove` of one of its posts, announced by
//   the group or sent by the group or one of its moderators, shows the post again here.
import { Create, Delete, Page, Remove, Undo, type Mention } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { publishToFollowers } from "../outbox.ts";
import { newActivityId } from "../uris.ts";
import { addressing, announceInGroup, federates } from "./announce.ts";
import type { PostObject } from "./objects.ts";

export async function sendRestore(
  tx: Tx,
  publicUrl: URL,
  found: PostObject,
  reason: string,
  mentions: { tags: Mention[]; remote: URL[] },
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
  if (!(found.object instanceof Page)) return;
  // A restored topic. Its removal also deleted its FEP-7888 context (outbound.ts), by which forum
  // software drops the whole thread: the group undoes that Delete, as it sent it (ADR 0164), and
  // announces its author's Create of the opening post again, which software that knows no Undo
  // of a Delete takes for a new topic (ours restores its copy from the Undo above).
  const context = found.object.contextIds[0];
  if (context && context.origin === publicUrl.origin && found.groupIdentifier)
    await publishToFollowers(
      tx,
      found.groupIdentifier,
      new Undo({
        id: newActivityId(publicUrl),
        object: new Delete({ id: newActivityId(publicUrl), object: context, ...common }),
        summary: reason || null,
        ...common,
      }),
    );
  if (!found.authorUri || !found.authorId) return;
  const object = mentions.tags.length
    ? found.object.clone({ tags: mentions.tags, ccs: mentions.remote })
    : found.object;
  await announceInGroup(
    tx,
    publicUrl,
    found,
    new Create({
      id: newActivityId(publicUrl),
      actor: new URL(found.authorUri),
      object,
      tos: found.object.toIds,
      ccs: mentions.remote,
      audience: group,
    }),
  );
}

/** The post an undone activity removed: the object of an undone `Delete` or `Remove`. */
export function undoneRemovalTarget(inner: unknown): URL | null | undefined {
  if (inner instanceof Delete || inner instanceof Remove) return inner.objectId;
  return undefined;
}
