// Expanded data parsed without expanding it again (ADR 0175). Fedify 2.3.6's vocabulary expands
// a document, then parses each embedded object (the Note of a Create, the Place of an Event, a
// tag) by its class's fromJsonLd, which runs the JSON-LD expansion again on that object, already
// expanded; each class also deletes `@type` and hands the same values to its parent class, which
// expands them once more (Note, then Object). Writing an object out (`toJsonLd`) expands again
// what it has just built in expanded form. In `npm run bench:inbox` such expansions of expanded
// data were about twelve per activity, each about as costly as expanding the whole document with
// its context (about 80 µs, replayed alone).
// Expanding data that has the expanded form gives it back unchanged, but for the order of its
// keys. So a node object whose every key, value and nested object has that form is copied
// instead; anything else (a context, a term, a bare string, a keyword this check does not know,
// other options than Fedify's) goes to the JSON-LD processor as before. A copy, because Fedify
// deletes keys of what it is given.
// Installed when this module is loaded (federation/federation.ts imports it).
import jsonld from "@fedify/vocab-runtime/jsonld";

type Expand = (input: unknown, options?: Record<string, unknown>) => Promise<unknown[]>;
/** The JSON-LD processor Fedify's vocabulary parses with (the same module instance). */
const processor = jsonld as unknown as { expand: Expand };
/** The processor's own expansion. */
export const realExpand: Expand = processor.expand.bind(processor);

/** Keywords a value object in expanded form may hold beside its value. */
const VALUE_KEYS = new Set(["@type", "@language", "@direction", "@index"]);
/** A key expansion keeps as it is: an absolute IRI or a blank node id, by the JSON-LD
 * processor's own test (a term or a compact IRI would need a context). */
const isIri = (key: string) => /^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$/.test(key);

/** A copy of a node object in expanded form, or undefined when it is not in that form. */
function copyNode(node: Record<string, unknown>): Record<string, unknown> | undefined {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === "@id") {
      // Absolute or a blank node id: a relative one would be resolved against a base.
      if (typeof value !== "string" || !isIri(value)) return undefined;
      copy[key] = value;
    } else if (key === "@type") {
      if (!Array.isArray(value) || !value.every((t) => typeof t === "string" && isIri(t)))
        return undefined;
      copy[key] = [...value];
    } else if (isIri(key)) {
      if (!Array.isArray(value)) return undefined;
      const items = copyItems(value);
      if (!items) return undefined;
      copy[key] = items;
    } else return undefined;
  }
  return copy;
}

/** A copy of a property's values in expanded form (node, value and list objects). An array
 * among them is flattened, as expansion does (Fedify writes an embedded object out as the array
 * of its own expansion), but not in a list, where it would be a list of lists. */
function copyItems(items: readonly unknown[], inList = false): unknown[] | undefined {
  const copies: unknown[] = [];
  for (const item of items) {
    if (Array.isArray(item) && !inList) {
      const flat = copyItems(item);
      if (!flat) return undefined;
      copies.push(...flat);
      continue;
    }
    if (item === null || typeof item !== "object" || Array.isArray(item)) return undefined;
    const object = item as Record<string, unknown>;
    let copy: unknown;
    if ("@value" in object) {
      const value = object["@value"];
      // Its keywords only, each but the value a string (a datatype, a language…); only a JSON
      // literal's value may be an object.
      const keywords = Object.entries(object).every(
        ([k, v]) => k === "@value" || (VALUE_KEYS.has(k) && typeof v === "string"),
      );
      if (value === null || !keywords) return undefined;
      if (typeof value === "object" && object["@type"] !== "@json") return undefined;
      // A JSON literal's value is any JSON: copied whole (structuredClone costs more than the
      // spread of a plain value object, the usual case).
      copy = typeof value === "object" ? structuredClone(object) : { ...object };
    } else if ("@list" in object) {
      if (Object.keys(object).length !== 1 || !Array.isArray(object["@list"])) return undefined;
      const list = copyItems(object["@list"], true);
      copy = list && { "@list": list };
    } else copy = copyNode(object);
    if (copy === undefined) return undefined;
    copies.push(copy);
  }
  return copies;
}

/** The options of Fedify's expansions: `keepFreeFloatingNodes` when parsing, the loader alone
 * when writing out, and those the processor's compaction passes on to its own expansion of what
 * Fedify wrote (none of which changes the expansion of absolute IRIs and expanded values). */
const OPTIONS = new Set([
  "documentLoader",
  "keepFreeFloatingNodes",
  "base",
  "compactArrays",
  "compactToRelative",
  "graph",
  "skipExpansion",
  "link",
  "issuer",
  "contextResolver",
  "eventHandler",
]);

function usual(options: Record<string, unknown> | undefined): boolean {
  if (!options) return true;
  if (!Object.keys(options).every((k) => OPTIONS.has(k))) return false;
  return (options.base === undefined || options.base === "") && !options.link;
}

/**
 * What expanding `input` gives when it is a node object in expanded form and the options are
 * Fedify's own; otherwise undefined (the processor must expand it).
 */
export function expandedCopy(
  input: unknown,
  options?: Record<string, unknown>,
): unknown[] | undefined {
  if (input === null || typeof input !== "object" || Array.isArray(input)) return undefined;
  if (!usual(options)) return undefined;
  const copy = copyNode(input as Record<string, unknown>);
  if (!copy) return undefined;
  const keys = Object.keys(copy);
  // An empty node object expands to nothing; a lone reference too, unless free-floating nodes
  // are kept.
  if (keys.length === 0) return [];
  if (keys.length === 1 && keys[0] === "@id" && options?.keepFreeFloatingNodes !== true) return [];
  return [copy];
}

processor.expand = function (input, options) {
  const copied = expandedCopy(input, options);
  return copied ? Promise.resolve(copied) : realExpand(input, options);
};
