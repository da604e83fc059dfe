// Rendered pieces of pages kept by what they show (ADR 0158): an offer's card is the same HTML
// for everyone who sees it in one language, so it is rendered once per version of its content.
// The key is made of everything the piece shows, so a changed offer (title, places left, status,
// category name, picture) is a new key and never needs an invalidation; the old one simply falls
// out of the bounded, least-recently-used list. Nothing of the viewer may go into a kept piece.
import crypto from "node:crypto";

export class FragmentCache {
  readonly #entries = new Map<string, string>();
  readonly #max: number;
  hits = 0;
  misses = 0;

  /** At most `max` pieces (0: nothing is kept). */
  constructor(max: number) {
    this.#max = max;
  }

  get size(): number {
    return this.#entries.size;
  }

  get enabled(): boolean {
    return this.#max > 0;
  }

  /** A short key for a piece of `kind` showing `content` (any JSON-able value). */
  static key(kind: string, content: unknown): string {
    const digest = crypto.createHash("sha1").update(JSON.stringify(content)).digest("base64url");
    return `${kind}:${digest}`;
  }

  get(key: string): string | undefined {
    const html = this.#entries.get(key);
    if (html === undefined) {
      this.misses++;
      return undefined;
    }
    // Used again: it moves to the young end of the list.
    this.#entries.delete(key);
    this.#entries.set(key, html);
    this.hits++;
    return html;
  }

  set(key: string, html: string): void {
    if (this.#max === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, html);
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
