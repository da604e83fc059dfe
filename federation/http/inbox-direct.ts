// The usual inbox POST, queued without Fedify's request handler (ADR 0169). Fedify 2.3.6's
// handleInbox parses the activity twice (its proof check, then the activity), verifies the HTTP
// signature a second time (parsing the key again from the store) and builds two request contexts
// (each with two new document loaders): checks the gate has mostly made already, and a large part
// of the instance's CPU per activity. Here the common case, an activity authenticated by its HTTP
// signature alone, is parsed once (one expansion: activity-parse.ts), checked as Fedify checks it,
// and queued as the message Fedify would have queued; its worker then handles it as before
// (parse, idempotency, listeners). Anything else goes to Fedify unchanged: a Linked Data
// signature or an integrity proof, a personal inbox, a body that does not parse, a key whose
// owner is not named or is not the actor (Fedify fetches the actor, or answers 401), an activity
// without id or actor. So every refusal and every unusual case keeps Fedify's own answer.
import type { Context, DocumentLoader, Message } from "@fedify/fedify";
import { Activity, CryptographicKey, type Multikey } from "@fedify/vocab";
import { forgetParsed, keepParsed } from "../activity-parse.ts";

export type InboxMessage = Extract<Message, { type: "inbox" }>;

export interface DirectInbox {
  /** A context built once: its loaders serve every request (Fedify builds two per context). */
  context: Context<void>;
  /** The federation's inbox queue (the one Fedify's handler would have used). */
  enqueue(message: InboxMessage): Promise<void>;
  /**
   * When this process runs the inbox worker too (PROCESS_ROLE=all): the document loader that
   * worker parses a shared inbox's activity with (the instance actor's, signing its fetches).
   * The activity is parsed with it and kept for the worker, which takes it instead of parsing
   * the document again (activity-parse.ts, ADR 0173).
   */
  workerLoader?: () => Promise<DocumentLoader>;
}

/** Fedify's answer to a queued activity, word for word. */
export const QUEUED = () =>
  new Response("Activity is enqueued.", {
    status: 202,
    headers: { "Content-Type": "text/plain; charset=utf-8" },
  });

/** Whether the body carries something Fedify authenticates on its own (under any of the names
 * it looks for): those go through Fedify. */
function signedInBody(json: Record<string, unknown>): boolean {
  return "signature" in json || "proof" in json || "https://w3id.org/security#proof" in json;
}

/**
 * Queues an activity POSTed to the shared inbox that the gate admitted, when it is the common
 * case; false when Fedify must handle the request (nothing has been done then).
 */
export async function queueDirectly(
  deps: DirectInbox,
  json: unknown,
  key: CryptographicKey | Multikey,
): Promise<boolean> {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return false;
  if (signedInBody(json as Record<string, unknown>)) return false;
  const { context } = deps;
  // The worker's loader, when it is this process's: what the activity fetches later is fetched
  // as the worker would have (none is fetched to parse it). Without it (the database away), the
  // activity is parsed as before and not kept.
  const workerLoader = await deps.workerLoader?.().catch(() => undefined);
  let activity: Activity;
  try {
    // Parsed by the class its type names, one expansion (federation/activity-parse.ts).
    activity = await Activity.fromJsonLd(json, {
      contextLoader: context.contextLoader,
      documentLoader: workerLoader ?? context.documentLoader,
    });
  } catch {
    // Fedify parses it again and answers as it always did (400 for an invalid activity; a
    // context that cannot be loaded is tried a second time there, then refused).
    return false;
  }
  // An integrity proof under a name of the sender's own context: Fedify's path.
  if (activity.proofIds.length > 0) return false;
  const actor = activity.actorId;
  if (!activity.id || !actor) return false;
  // Fedify's doesActorOwnKey when the key names its owner; otherwise it fetches the actor.
  if (!(key instanceof CryptographicKey) || key.ownerId?.href !== actor.href) return false;
  // No idempotency read here, although Fedify's handler makes one: the record it reads (per
  // inbox) is written only when Fedify handles an activity without a queue, which this instance
  // never does, so the read always missed. The worker's own record (origin and id) is what keeps
  // an activity from being handled twice, and it still runs.
  // Kept before it is queued: the worker may take the message before enqueue() returns.
  const kept = workerLoader ? keepParsed(json, activity) : undefined;
  try {
    await deps.enqueue({
      type: "inbox",
      id: crypto.randomUUID(),
      baseUrl: context.origin,
      activity: json,
      identifier: null,
      attempt: 0,
      started: new Date().toISOString(),
      traceContext: {},
    });
  } catch (error) {
    if (kept !== undefined) forgetParsed(kept);
    throw error;
  }
  return true;
}
