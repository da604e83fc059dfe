// Activities as received: Fedify keeps the document it parsed, where types its vocabulary lacks
// (Lemmy's `Lock`) and properties it drops are still there.

type Json = Record<string, unknown>;

/** The document Fedify parsed an object from (the activity as received, or a fetched object). */
export function rawDocument(object: unknown): Json | undefined {
  const cached = (object as { _cachedJsonLd?: unknown } | null)?._cachedJsonLd;
  const doc = Array.isArray(cached) ? cached[0] : cached;
  return doc && typeof doc === "object" ? (doc as Json) : undefined;
}

/** "Create", "Lock": the last segment of a type as written (`as:Note`, a full IRI…). */
export function localTypeName(type: unknown): string | undefined {
  const first = Array.isArray(type) ? type[0] : type;
  if (typeof first !== "string" || first.length === 0) return undefined;
  return first.slice(
    Math.max(first.lastIndexOf("#"), first.lastIndexOf("/"), first.lastIndexOf(":")) + 1,
  );
}

/** The type of an object as received, for types Fedify's vocabulary lacks. */
export function rawType(object: unknown): string | undefined {
  const doc = rawDocument(object);
  return localTypeName(doc?.type ?? doc?.["@type"]);
}

/** The `object` of an activity as received (its id, embedded or not). */
export function rawObjectId(doc: Json | undefined): URL | null {
  const object = Array.isArray(doc?.object) ? doc.object[0] : doc?.object;
  const id =
    typeof object === "string"
      ? object
      : object && typeof object === "object"
        ? (object as Json).id
        : undefined;
  return typeof id === "string" && URL.canParse(id) ? new URL(id) : null;
}
