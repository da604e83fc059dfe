// Actor documents this instance fetched a moment ago, shared by the inbox gate (which fetches an
// unknown sender's key, most often served inside its actor document) and the handlers that then
// look the same actor up to store it: one fetch for both, and one at a time per actor (issue 15,
// ADR 0154). Kept per federation (tests run several instances in one process), in memory, for a
// minute: long enough for the activity's handling that follows its key check, short enough that
// an edited profile is read again by the daily refresh.
import type { DocumentLoader, Federation, RemoteDocument } from "@fedify/fedify";

const KEEP_MS = 60_000;
const MAX_ENTRIES = 1000;

interface Entry {
  document: RemoteDocument;
  at: number;
}

const byFederation = new WeakMap<Federation<void>, Map<string, Entry>>();

function memoOf(federation: Federation<void>): Map<string, Entry> {
  let memo = byFederation.get(federation);
  if (!memo) byFederation.set(federation, (memo = new Map()));
  return memo;
}

function withoutFragment(url: string): string {
  const hash = url.indexOf("#");
  return hash < 0 ? url : url.slice(0, hash);
}

/**
 * Keeps `document`, fetched at `url`, when it is the document of its own id (an actor holding its
 * key: `…/users/lea#main-key` gives `…/users/lea`); a key document of its own is not kept.
 */
export function rememberDocument(
  federation: Federation<void>,
  url: string,
  document: RemoteDocument,
): void {
  const id = (document.document as { id?: unknown } | null)?.id;
  const at = withoutFragment(document.documentUrl || url);
  if (typeof id !== "string" || id !== at) return;
  const memo = memoOf(federation);
  // The oldest entries go first (a Map keeps insertion order).
  memo.delete(at);
  memo.set(at, { document, at: Date.now() });
  while (memo.size > MAX_ENTRIES) memo.delete(memo.keys().next().value!);
}

export function recentDocument(
  federation: Federation<void>,
  url: string,
): RemoteDocument | undefined {
  const memo = byFederation.get(federation);
  const entry = memo?.get(url);
  if (!entry) return undefined;
  if (Date.now() - entry.at > KEEP_MS) {
    memo!.delete(url);
    return undefined;
  }
  return entry.document;
}

/** `load` behind the recent documents: an actor fetched a moment ago (by the gate, or by this
 * loader) is not fetched again. */
export function recentFirst(federation: Federation<void>, load: DocumentLoader): DocumentLoader {
  return async (url, options) => {
    const recent = recentDocument(federation, url);
    if (recent) return recent;
    const document = await load(url, options);
    rememberDocument(federation, url, document);
    return document;
  };
}
