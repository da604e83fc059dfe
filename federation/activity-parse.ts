// Activities parsed with one JSON-LD expansion instead of two. Fedify 2.3.6's
// Activity.fromJsonLd expands the whole document only to pick the class its type names, then
// hands the document to that class, which expands it again; its inbox worker parses every queued
// activity this way (a large part of the worker's CPU in `npm run bench:inbox`, ADR 0171). Here,
// a document whose one `type` is a plain activity name goes to that class at once. The class
// refuses a document whose context gives the name another meaning (TypeError: "Invalid type"),
// and Activity's own parse then runs as before, so what is parsed, and every refusal, is the same.
// Installed when this module is loaded (federation/federation.ts imports it).
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

Activity.fromJsonLd = async function (
  this: typeof Activity,
  ...[json, options]: Parameters<typeof Activity.fromJsonLd>
) {
  // Only Activity's own parse: every class of the vocabulary has a fromJsonLd of its own.
  const parser = this === Activity ? plainActivityClass(json) : undefined;
  if (parser) {
    try {
      return await parser.fromJsonLd(json, options);
    } catch (error) {
      if (!(error instanceof TypeError)) throw error;
    }
  }
  return parseByType.call(this, json, options);
} as typeof Activity.fromJsonLd;
