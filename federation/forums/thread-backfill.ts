// FEP-f228: a thread's history is read from its context collection where the peer offers one.
// A followed group's outbox only holds its latest activities (Lemmy, NodeBB: a few dozen), so the
// older replies of a thread it brought are missing; forum software that serves its threads'
// FEP-7888 `context` as a collection (NodeBB, Maillage) lists every post of the thread there.
// A thread whose context does not dereference to a collection is read from the group's outbox.
import type { Context } from "@fedify/fedify";
import { Collection } from "@fedify/vocab";
import type { FederationRuntime } from "../deps.ts";
import { tolerate } from "../tolerate.ts";
import { hostOf } from "../uris.ts";
import type { GroupRow } from "./inbound-shared.ts";

/** After a group's outbox is read, the context collections of this many of its newest threads. */
export const THREADS_PER_BACKFILL = 20;

type Store = (
  fctx: Context<void>,
  group: GroupRow,
  collection: Collection,
  documentLoader: Context<void>["documentLoader"],
) => Promise<number>;

/**
 * Reads the context collection `context` of a thread of `group` and stores its posts (as the
 * outbox's, oldest first); false when the context is not a collection the group's server serves.
 */
export async function readContext(
  runtime: FederationRuntime,
  store: Store,
  group: GroupRow,
  context: string,
): Promise<boolean> {
  const log = runtime.app.log.child({ group: group.ap_id, context });
  // Only a collection of the group's own server speaks for its threads.
  if (!URL.canParse(context) || !group.host || hostOf(context) !== group.host) return false;
  if (!(await runtime.policy.allows(context))) return false;
  const fctx = runtime.context();
  const documentLoader = await fctx.getDocumentLoader({ identifier: "instance" });
  const collection = await tolerate(
    fctx.lookupObject(context, { documentLoader }),
    null,
    log,
    "reading a thread's context",
  );
  if (!(collection instanceof Collection)) return false;
  const count = await store(fctx, group, collection, documentLoader);
  log.info({ items: count }, "thread backfilled from its context collection");
  return true;
}

/** The threads of `group` whose context may be a collection on its server, newest first. */
export async function threadContexts(
  runtime: FederationRuntime,
  group: GroupRow,
  limit = THREADS_PER_BACKFILL,
): Promise<string[]> {
  const rows = await runtime.app.db
    .selectFrom("forum_topics")
    .select("context")
    .where("group_id", "=", group.id)
    .where("context", "is not", null)
    .where("removed_at", "is", null)
    .orderBy("created_at", "desc")
    .limit(limit)
    .execute();
  return [...new Set(rows.map((r) => r.context!))];
}
