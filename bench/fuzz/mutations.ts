// Seeds and mutations for the fuzz run: real payloads (the shared fixtures of other fediverse
// servers, our own reviewed wire snapshots) moved onto loopback addresses, then broken in the
// ways peers and clients break them: truncated, malformed, oversized, wrongly typed, mutated.
import fs from "node:fs";
import path from "node:path";

/** A small deterministic generator (mulberry32), so a failing run can be replayed by its seed. */
export function random(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return { next, int, pick: <T>(items: readonly T[]): T => items[int(items.length)]! };
}
export type Random = ReturnType<typeof random>;

/** JSON-LD contexts Fedify carries with it: kept as they are, every other URL goes to loopback. */
const PRELOADED = new Set([
  "https://www.w3.org/ns/activitystreams",
  "https://w3id.org/security/v1",
  "https://w3id.org/security/data-integrity/v1",
  "https://w3id.org/security/data-integrity/v2",
  "https://w3id.org/security/multikey/v1",
  "https://w3id.org/identity/v1",
  "https://www.w3.org/ns/did/v1",
  "https://www.w3.org/ns/cid/v1",
  "https://gotosocial.org/ns",
  "https://join-lemmy.org/context.json",
  "http://joinmastodon.org/ns",
  "http://schema.org/",
  "https://purl.archive.org/miscellany",
  "https://purl.archive.org/socialweb/webfinger",
  "https://w3id.org/fep/5711",
  "https://w3id.org/fep/ef61",
]);

const URL_ORIGIN = /^https?:\/\/[^/\s"]+/;

/** Every URL that is not a preloaded context now points at `origin` (a loopback instance). */
export function localise(value: unknown, origin: string): unknown {
  if (typeof value === "string")
    return PRELOADED.has(value) || (value.includes("#") && PRELOADED.has(value.split("#")[0]!))
      ? value
      : value.replace(URL_ORIGIN, origin);
  if (Array.isArray(value)) return value.map((item) => localise(item, origin));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, localise(item, origin)]),
    );
  return value;
}

function jsonFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(full);
    return entry.name.endsWith(".json") ? [full] : [];
  });
}

/** Activities and objects from the given folders, parsed. */
export function loadSeeds(dirs: readonly string[]): { file: string; json: unknown }[] {
  return dirs.flatMap(jsonFiles).flatMap((file) => {
    try {
      const json = JSON.parse(fs.readFileSync(file, "utf8")) as unknown;
      return json && typeof json === "object" ? [{ file, json }] : [];
    } catch {
      return [];
    }
  });
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function clone<T>(value: T): T {
  return structuredClone(value);
}

/** The paths of every value in a document (object keys and array indexes). */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []) {
  if (Array.isArray(value))
    value.forEach((item, i) => {
      out.push([...prefix, i]);
      paths(item, [...prefix, i], out);
    });
  else if (value && typeof value === "object")
    for (const [key, item] of Object.entries(value)) {
      out.push([...prefix, key]);
      paths(item, [...prefix, key], out);
    }
  return out;
}

function setAt(root: Json, at: (string | number)[], replacement: Json | undefined): void {
  // Paths were listed before earlier edits of the same document: skip those that are gone.
  let node = root as Record<string | number, Json>;
  for (const step of at.slice(0, -1)) {
    const child = node[step];
    if (child === null || typeof child !== "object") return;
    node = child as Record<string | number, Json>;
  }
  if (node === null || typeof node !== "object") return;
  const last = at.at(-1)!;
  if (replacement === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = replacement;
}

const AS_TYPES = [
  "Create",
  "Update",
  "Delete",
  "Follow",
  "Accept",
  "Reject",
  "Undo",
  "Announce",
  "Like",
  "Flag",
  "Join",
  "Leave",
  "Add",
  "Remove",
  "Block",
  "Move",
  "Event",
  "Note",
  "Page",
  "Group",
  "Person",
  "Tombstone",
  "Question",
  "Article",
  "Image",
  "Collection",
  "OrderedCollectionPage",
  "Bogus",
  "",
];

/** Values of every wrong type, and the numbers that break naive code. */
function wrongValue(r: Random, origin: string): Json {
  return r.pick<() => Json>([
    () => r.int(2 ** 31),
    () => -1,
    () => 1e308,
    () => 0.5,
    () => true,
    () => null,
    () => [],
    () => ({}),
    () => "",
    () => "a\u0000b",
    () => "x".repeat(r.pick([300, 5_000, 70_000])),
    () => [{ type: "Link", href: `${origin}/${"deep/".repeat(50)}` }],
    () => `${origin}/users/${"a".repeat(2_000)}`,
    () => "javascript:alert(1)",
    () => "http://",
    () => "urn:uuid:00000000-0000-0000-0000-000000000000",
    () => "0000-01-01T00:00:00Z",
    () => "275760-09-13T00:00:01Z",
    () => "\ud800",
    () => ({ "@id": `${origin}/x`, "@type": "@json" }),
    () => ({ __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } }),
    () => Array.from({ length: 2_000 }, (_, i) => `${origin}/users/u${i}`),
  ])();
}

export type Kind = "truncated" | "malformed" | "oversized" | "wrongly-typed" | "mutated" | "as-is";

export interface Mutant {
  kind: Kind;
  /** The body exactly as sent. */
  body: Buffer;
}

/** One mutation of `seed` (a parsed JSON document), chosen by `r`. */
export function mutate(seed: unknown, r: Random, origin: string): Mutant {
  const doc = clone(seed) as Json;
  const text = () => JSON.stringify(doc);
  const roll = r.int(100);
  if (roll < 5) return { kind: "as-is", body: Buffer.from(text()) };
  if (roll < 18) {
    const full = text();
    return { kind: "truncated", body: Buffer.from(full.slice(0, r.int(full.length))) };
  }
  if (roll < 33) {
    const bytes = Buffer.from(text());
    const flips = 1 + r.int(6);
    for (let i = 0; i < flips && bytes.length; i++)
      bytes[r.int(bytes.length)] = r.pick([0x00, 0x22, 0x7b, 0x7d, 0x5c, 0xff, 0xc3, 0x2c, 0x5d]);
    const extra = r.pick(["", "\u0000", "}", "]]]]", ",", '{"a":', "\ufeff", "NaN", "1e99999"]);
    return { kind: "malformed", body: Buffer.concat([bytes, Buffer.from(extra)]) };
  }
  if (roll < 41) {
    const size = r.pick([200_000, 1_100_000, 3_000_000]);
    const variant = r.int(4);
    if (variant === 0) {
      const depth = r.pick([500, 5_000, 50_000]);
      return { kind: "oversized", body: Buffer.from(`${"[".repeat(depth)}${"]".repeat(depth)}`) };
    }
    if (variant === 1 && doc && typeof doc === "object" && !Array.isArray(doc)) {
      doc.content = "é".repeat(size / 2);
      return { kind: "oversized", body: Buffer.from(text()) };
    }
    if (variant === 2 && doc && typeof doc === "object" && !Array.isArray(doc)) {
      doc.to = Array.from({ length: size / 50 }, (_, i) => `${origin}/users/u${i}/followers`);
      return { kind: "oversized", body: Buffer.from(text()) };
    }
    const nested: Json = { type: "Note", content: "x" };
    let outer: Json = nested;
    for (let i = 0; i < r.pick([100, 1_000, 10_000]); i++)
      outer = { type: "Announce", object: outer } as Json;
    return { kind: "oversized", body: Buffer.from(JSON.stringify(outer)) };
  }
  const all = paths(doc);
  if (roll < 70 && all.length) {
    const count = 1 + r.int(3);
    for (let i = 0; i < count; i++) setAt(doc, r.pick(all), wrongValue(r, origin));
    return { kind: "wrongly-typed", body: Buffer.from(text()) };
  }
  // Mutated: keys dropped, types and ids swapped, contexts broken, activities nested oddly.
  if (doc && typeof doc === "object" && !Array.isArray(doc)) {
    const edits = 1 + r.int(3);
    for (let i = 0; i < edits; i++) {
      const edit = r.int(7);
      const keys = Object.keys(doc);
      if (edit === 0 && keys.length) delete doc[r.pick(keys)];
      else if (edit === 1) doc.type = r.pick(AS_TYPES);
      else if (edit === 2) doc.id = r.pick([`${origin}/x/${r.int(1e9)}`, "", "urn:x", 42]);
      else if (edit === 3)
        doc["@context"] = r.pick<Json>([
          `${origin}/contexts/missing.jsonld`,
          "https://www.w3.org/ns/activitystreams",
          [],
          42,
          { "@vocab": "http://example.invalid/" },
          { as: `${origin}/ns#`, type: "@id" },
        ]);
      else if (edit === 4) doc.object = clone(doc);
      else if (edit === 5) doc.actor = r.pick([`${origin}/users/nobody`, "", null, ["a", "b"]]);
      else if (all.length) setAt(doc, r.pick(all), undefined);
    }
  }
  return { kind: "mutated", body: Buffer.from(text()) };
}
