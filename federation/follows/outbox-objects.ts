// The objects of one type a followed actor's outbox still holds: its pages are read newest first,
// and the first activity seen about an object decides whether it still exists (a Delete after
// its Create hides it). The offers' and the tutorials' backfills both read them this way.
import type { Context, DocumentLoader } from "@fedify/fedify";
import { findRemoteActor, type RemoteActor } from "../actors/remote.ts";
import type { FederationRuntime } from "../deps.ts";
import { isFollowed } from "../offers/offers.inbox.ts";
import { plainTerms } from "../offers/terms.ts";
import { INSTANCE_ACTOR } from "../uris.ts";
import { backfillProgress } from "./backfills.ts";

type Json = Record<string, unknown>;

/** At most this many pages of an outbox are read (20 activities each on Maillage). */
const MAX_PAGES = 50;

export const idOf = (v: unknown): string | undefined =>
  typeof v === "string"
    ? v
    : typeof v === "object" && v !== null && typeof (v as Json).id === "string"
      ? ((v as Json).id as string)
      : undefined;

function readPage(items: unknown, type: string, seen: Map<string, boolean>) {
  for (const item of Array.isArray(items) ? items : []) {
    if (typeof item !== "object" || item === null) continue;
    const activity = plainTerms(item as Json);
    const objectId = idOf(activity.object);
    if (!objectId || seen.has(objectId)) continue;
    const object = activity.object;
    if (activity.type === "Delete") seen.set(objectId, false);
    else if (
      (activity.type === "Create" || activity.type === "Update") &&
      typeof object === "object" &&
      object !== null
    )
      seen.set(objectId, (object as Json).type === type);
  }
}

/** The ids of the objects of `type` the outbox at `outboxUrl` names and has not deleted. */
export async function outboxObjects(
  fetchJson: (url: string) => Promise<Json>,
  outboxUrl: string,
  type: string,
): Promise<string[]> {
  const seen = new Map<string, boolean>();
  const outbox = await fetchJson(outboxUrl);
  readPage(outbox.orderedItems ?? outbox.items, type, seen);
  let next = idOf(outbox.first);
  for (let pages = 0; next && pages < MAX_PAGES; pages++) {
    const page = await fetchJson(next);
    readPage(page.orderedItems ?? page.items, type, seen);
    next = idOf(page.next);
  }
  return [...seen].filter(([, exists]) => exists).map(([uri]) => uri);
}

/** What the per-object step of a backfill is given: the publisher and a signed way to read. */
export interface OutboxReading {
  actor: RemoteActor;
  fctx: Context<void>;
  documentLoader: DocumentLoader;
  fetchJson: (url: string) => Promise<Json>;
}

/**
 * Reads the outbox of a followed actor and hands each object of `type` it still holds to `keep`
 * (true: kept), recording the progress under `kind` (ADR 0121); how many were kept. Requests
 * are signed by our instance actor: objects visible to the network are served to allowed
 * instances only.
 */
export async function backfillFromOutbox(
  runtime: FederationRuntime,
  remoteActorId: number,
  what: {
    type: string;
    kind: string;
    keep: (uri: string, reading: OutboxReading) => Promise<boolean>;
  },
): Promise<number> {
  const { app } = runtime;
  const actor = await findRemoteActor(app.db, { id: remoteActorId });
  if (!actor?.outbox) return 0;
  if (!(await isFollowed(app.db, actor))) throw new Error("the Follow is not accepted yet");
  const fctx = runtime.context();
  const documentLoader = await fctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const fetchJson = async (url: string) => (await documentLoader(url)).document as Json;

  const found = await outboxObjects(fetchJson, actor.outbox, what.type);
  const progress = backfillProgress(app.db, actor.id, what.kind);
  await progress.start(found.length);
  let kept = 0;
  for (const [done, uri] of found.entries()) {
    // Every few objects, so an admin page moves without a write per object.
    if (done > 0 && done % 5 === 0) await progress.advance(done);
    if (await what.keep(uri, { actor, fctx, documentLoader, fetchJson })) kept++;
  }
  await progress.finish(found.length);
  return kept;
}
