// "Published content changed": what caches of rendered pages listen to (ADR 0150). Domain
// services call `contentChanged()` after a commit that changes what anonymous visitors see (an
// offer edited, cancelled, published); the HTTP layer also calls it after every successful
// write request. Caches are held weakly: an app that is gone (tests start many) is not kept
// alive by this list.
interface Clearable {
  clear(): void;
}

const caches = new Set<WeakRef<Clearable>>();

export function clearOnContentChange(cache: Clearable): void {
  caches.add(new WeakRef(cache));
}

export function contentChanged(): void {
  for (const ref of caches) {
    const cache = ref.deref();
    if (cache) cache.clear();
    else caches.delete(ref);
  }
}
