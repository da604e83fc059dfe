// Which servers verify RFC 9421 signatures made with Ed25519 (ADR 0176): stated by their actors
// (FEP-844e, stored with each actor), asked once per host for a while rather than per delivery.
// A stale answer costs little either way: RSA still works everywhere, and an Ed25519 signature a
// server refuses sends that delivery down Fedify's path, signed with RSA.
import type { Db } from "../../server/db/database.ts";

const KEEP_MS = 10 * 60_000;
const MAX_HOSTS = 5_000;

export class PeerSignatures {
  readonly #db: Db;
  readonly #known = new Map<string, { at: number; answer: Promise<boolean> }>();

  constructor(db: Db) {
    this.#db = db;
  }

  /** Whether an actor of `host` stated that its server verifies Ed25519 signatures. */
  acceptsEd25519(host: string): Promise<boolean> {
    const known = this.#known.get(host);
    if (known && Date.now() - known.at < KEEP_MS) return known.answer;
    if (this.#known.size >= MAX_HOSTS) this.#known.delete(this.#known.keys().next().value!);
    const answer = this.#db
      .selectFrom("federation_remote_actors")
      .select("id")
      .where("host", "=", host)
      .where("accepts_ed25519", "=", true)
      .limit(1)
      .executeTakeFirst()
      .then((row) => row !== undefined);
    // A failed read is not kept: RSA this time, asked again next time.
    answer.catch(() => this.#known.delete(host));
    this.#known.set(host, { at: Date.now(), answer });
    return answer.catch(() => false);
  }
}
