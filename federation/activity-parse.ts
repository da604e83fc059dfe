// Activities parsed with one JSON-LD expansion instead of two. Fedify 2.3.6's
// Activity.fromJsonLd expands the whole document only to pick the class its type names, then
// hands the document to that class, which expands it again; its inbox worker parses every queued
// activity this way (a large part of the worker's CPU in `npm run bench:inbox`, ADR 0171). Here,
// a document whose one `type` is a plain activity name goes to that class at once. The class
// refuses a document whose context gives the name another meaning (TypeError: "Invalid type"),
// and Activity's own parse then runs as before, so what is parsed, and every refusal, is the same.
// Installed when this module is loaded (federation/federation.ts imports it).
import { isDeepStrictEqual } from "node:util";
import {
  Accept,
  Activity,
  Add,
  Announce,
  Block,
  Create,
  Delete,
  Flag,
  Follow,
  Like,
  Move,
  Reject,
  Remove,
  Undo,
  Update,
} from "@fedify/vocab";

/** By the name a document's `type` gives them in the ActivityStreams context. */
const CLASSES: Record<string, typeof Activity> = Object.fromEntries(
  [
    Accept,
    Add,
    Announce,
    Block,
    Create,
    Delete,
    Flag,
    Follow,
    Like,
    Move,
    Reject,
    Remove,
    Undo,
    Update,
  ].map((c) => [c.typeId.hash.slice(1), c]),
);

/** The class a document of one plain activity type is parsed by, if it is one. */
export function plainActivityClass(json: unknown): typeof Activity | undefined {
  if (json === null || typeof json !== "object" || Array.isArray(json)) return undefined;
  const type = (json as { type?: unknown }).type;
  return typeof type === "string" && Object.hasOwn(CLASSES, type) ? CLASSES[type] : undefined;
}

const parseByType: typeof Activity.fromJsonLd = Activity.fromJsonLd;

/**
 * Activities the shared inbox parsed before queuing them, for this process's own inbox worker
 * (PROCESS_ROLE=all, ADR 0173): Fedify's worker parses the queued document again, a second
 * JSON-LD expansion of the same document. Kept by the activity's id with the document itself
 * (the queue may give it back with its keys in another order: the embedded mode's queue keeps
 * it as jsonb). Only an activity parsed with the document loader that worker uses is kept (the
 * instance actor's, which signs its fetches: Fedify makes a new one for each message, so the
 * worker's cannot be compared): the activity keeps its loader for what it fetches later. Each is
 * taken once; the oldest go first beyond `KEPT` (an activity another process handled).
 */
const parsedBeforeQueuing = new Map<string, { json: unknown; activity: Activity }>();
const KEPT = 512;

const idOf = (json: unknown) => {
  const id = (json as { id?: unknown } | null)?.id;
  return typeof id === "string" ? id : undefined;
};

/** Keeps `activity`, parsed from `json` with the worker's loader, for the worker of this
 * process; what to give `forgetParsed`. */
export function keepParsed(json: unknown, activity: Activity): string | undefined {
  const id = idOf(json);
  if (id === undefined) return undefined;
  if (parsedBeforeQueuing.size >= KEPT)
    parsedBeforeQueuing.delete(parsedBeforeQueuing.keys().next().value!);
  parsedBeforeQueuing.set(id, { json, activity });
  return id;
}

/** Forgets what `keepParsed` kept (its queuing failed). */
export function forgetParsed(id: string): void {
  parsedBeforeQueuing.delete(id);
}

/** The activity kept for this very document, taken: undefined when there is none. */
function takeParsed(json: unknown): Activity | undefined {
  if (parsedBeforeQueuing.size === 0) return undefined;
  const id = idOf(json);
  const kept = id === undefined ? undefined : parsedBeforeQueuing.get(id);
  if (!kept) return undefined;
  parsedBeforeQueuing.delete(id!);
  return isDeepStrictEqual(kept.json, json) ? kept.activity : undefined;
}

Activity.fromJsonLd = async function (
  this: typeof Activity,
  ...[json, options]: Parameters<typeof Activity.fromJsonLd>
) {
  // Only Activity's own parse: every class of the vocabulary has a fromJsonLd of its own.
  const parser = this === Activity ? plainActivityClass(json) : undefined;
  const kept = parser ? takeParsed(json) : undefined;
  if (kept) return kept;
  if (parser) {
    try {
      return await parser.fromJsonLd(json, options);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }
  return parseByType.call(this, json, options);
} as typeof Activity.fromJsonLd;
