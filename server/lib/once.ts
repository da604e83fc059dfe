// A value made once per key and shared: the callers asking for the same key at the same time get
// the same promise (one statement, one lookup), for as long as the map is kept.

/** The value kept for `key`, made by `make` on the first ask. */
export function once<K, V>(kept: Map<K, V>, key: K, make: () => V): V {
  if (kept.has(key)) return kept.get(key)!;
  const made = make();
  kept.set(key, made);
  return made;
}
