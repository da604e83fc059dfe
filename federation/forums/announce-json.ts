// A group's announce of a member's activity, written as JSON rather than compacted (issue 15).
// Fedify's vocabulary compacts an Announce with the JSON-LD processor against its own document
// of eight contexts: about 0.4 ms of CPU each, two per new topic, in the transaction that stores
// a remote post. The announce itself is seven ActivityStreams properties; what it embeds is the
// activity as its author's server wrote it, under that server's context. So the announce takes
// that context when it maps those seven terms and the type `Announce` exactly as ActivityStreams
// does (checked once per context, by expanding a probe document), and embeds the activity as
// received. Any other context, or an activity we wrote: Fedify's compaction, as before.
import { getDocumentLoader } from "@fedify/vocab-runtime";
import { rawDocument } from "../inbox/raw.ts";
import { realExpand } from "../jsonld-reexpansion.ts";

type Json = Record<string, unknown>;

const AS = "https://www.w3.org/ns/activitystreams";
const PROBE = "https://probe.invalid/";
const TERMS = ["actor", "object", "to", "cc", "audience"] as const;

/** Verdicts per context (as its JSON text); a few dozen servers' contexts at most. */
const verdicts = new Map<string, Promise<boolean>>();
const MAX_VERDICTS = 256;

const sorted = (node: Json) =>
  JSON.stringify(Object.fromEntries(Object.entries(node).sort(([a], [b]) => a.localeCompare(b))));
/** The probe's expansion when its context reads it as ActivityStreams does. */
const EXPECTED = sorted({
  "@id": `${PROBE}id`,
  "@type": [`${AS}#Announce`],
  ...Object.fromEntries(TERMS.map((t) => [`${AS}#${t}`, [{ "@id": `${PROBE}${t}` }]])),
});

async function readsAsActivityStreams(context: unknown): Promise<boolean> {
  const probe: Json = {
    "@context": context,
    id: `${PROBE}id`,
    type: "Announce",
    ...Object.fromEntries(TERMS.map((t) => [t, `${PROBE}${t}`])),
  };
  try {
    const expanded = (await realExpand(probe, { documentLoader: getDocumentLoader() })) as Json[];
    return expanded.length === 1 && sorted(expanded[0]!) === EXPECTED;
  } catch {
    return false;
  }
}

/** Whether an announce may be written under `context` (its answer is kept). */
export function announcesUnder(context: unknown): Promise<boolean> {
  if (context === undefined) return Promise.resolve(false);
  const key = JSON.stringify(context);
  let verdict = verdicts.get(key);
  if (!verdict) {
    if (verdicts.size >= MAX_VERDICTS) verdicts.clear();
    verdict = readsAsActivityStreams(context);
    verdicts.set(key, verdict);
  }
  return verdict;
}

export interface AnnounceFields {
  id: URL;
  actor: URL;
  /** The public collection or the group's followers. */
  to: URL;
  ccs: URL[];
  audience: URL;
}

const one = (urls: URL[]) => (urls.length === 1 ? urls[0]!.href : urls.map((u) => u.href));

/**
 * The announce of `activity` as JSON, embedding it as received, or undefined when it was not
 * received (ours) or its context does not read the announce's terms as ActivityStreams does.
 */
export async function announceJson(
  fields: AnnounceFields,
  activity: unknown,
): Promise<Json | undefined> {
  const raw = rawDocument(activity);
  if (!raw || typeof raw.id !== "string") return undefined;
  const { "@context": context, ...embedded } = raw;
  if (!(await announcesUnder(context))) return undefined;
  return {
    "@context": context,
    ...written(fields),
    object: embedded,
  };
}

/** The announce of an object by its id, under the ActivityStreams context. */
export function announceIdJson(fields: AnnounceFields, object: URL): Json {
  return { "@context": AS, ...written(fields), object: object.href };
}

function written(fields: AnnounceFields): Json {
  return {
    id: fields.id.href,
    type: "Announce",
    actor: fields.actor.href,
    to: fields.to.href,
    ...(fields.ccs.length > 0 ? { cc: one(fields.ccs) } : {}),
    audience: fields.audience.href,
  };
}
