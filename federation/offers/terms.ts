// Event extras arrive in more than one shape: as their publisher wrote them (`timezone`,
// `ical:status`), or re-compacted against the ActivityStreams context only, where terms it lacks
// become full IRIs (`http://schema.org#maximumAttendeeCapacity`) and typed values become
// `{"@value": …}`. Readers see one shape: local names and plain values.
type Json = Record<string, unknown>;

const NAMESPACES = [
  "http://schema.org#",
  "https://schema.org/",
  "http://schema.org/",
  "https://joinmobilizon.org/ns#",
  "http://www.w3.org/2002/12/cal/ical#",
  "urn:maillage:ns#",
  "sc:",
  "mz:",
  "ical:",
  "maillage:",
];

function localName(key: string): string {
  for (const ns of NAMESPACES) if (key.startsWith(ns)) return key.slice(ns.length);
  return key;
}

function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainValue);
  if (typeof value !== "object" || value === null) return value;
  const node = value as Json;
  if ("@list" in node) return plainValue(node["@list"]);
  if ("@value" in node) return node["@value"];
  if ("@id" in node && Object.keys(node).every((k) => k === "@id" || k === "@type"))
    return node["@id"];
  return plainTerms(node);
}

export function plainTerms(json: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(json)) {
    if (key === "@context") continue;
    const name = localName(key);
    // A term the publisher wrote itself wins over the same one found under a full IRI.
    if (name in out && name !== key) continue;
    out[name] = plainValue(value);
  }
  if (typeof out.type === "string") out.type = localName(out.type);
  return out;
}
