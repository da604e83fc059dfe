// What the wire snapshot scenario keeps: activities as they arrived at an inbox (through the
// recording proxies of ../support/wire-tap.ts) and objects as they are served, under the name of
// their snapshot file.
import assert from "node:assert/strict";
import supertest from "supertest";
import { issueApiToken, createAccount } from "../../server/accounts/accounts.service.ts";
import { waitFor, type Peer } from "../federation/harness.ts";
import type { WireTap } from "../support/wire-tap.ts";

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** `shape("Announce", "Create", "Page")`: an Announce whose object is a Create of a Page. */
export function shape(...types: string[]) {
  return (body: Json): boolean => {
    let node: unknown = body;
    for (const type of types) {
      if (typeof node !== "object" || node === null || (node as Json).type !== type) return false;
      node = (node as Json).object;
    }
    return true;
  };
}

export class Capture {
  readonly documents = new Map<string, Json>();
  readonly #tap: WireTap;

  constructor(tap: WireTap) {
    this.#tap = tap;
  }

  /** Where the next action's activities start in the tap's record. */
  mark(): number {
    return this.#tap.posted.length;
  }

  /** Waits for an activity POSTed to an inbox of `to` after `since`, accepted there and
   * matching `match`, and keeps it as the snapshot `name`. */
  async sent(name: string, since: number, to: Peer, match: (body: Json) => boolean) {
    const found = await waitFor(`${name} POSTed to ${to.name}`, async () =>
      this.#tap.posted
        .slice(since)
        .find((p) => p.to === to.name && p.status >= 200 && p.status < 300 && match(p.body)),
    );
    assert.ok(found.signed, `${name} was POSTed without an HTTP signature`);
    this.#keep(name, found.body);
    return found.body as Json;
  }

  /** GETs `path` of `peer` as ActivityStreams and keeps the document as the snapshot `name`. */
  async served(name: string, peer: Peer, path: string) {
    const res = await supertest(peer.url).get(path).set("accept", "application/activity+json");
    assert.equal(res.status, 200, `${name}: GET ${path} answered ${res.status}`);
    assert.match(res.type, /^application\/(activity|ld)\+json$/, `${name}: ${res.type}`);
    const body = JSON.parse(res.text) as Json;
    this.#keep(name, body);
    return body;
  }

  #keep(name: string, document: Json): void {
    assert.ok(!this.documents.has(name), `${name} captured twice`);
    this.documents.set(name, document);
  }
}

/** A member with a fixed username (usernames show in actors and mentions) and an API token. */
export async function account(peer: Peer, username: string, displayName: string) {
  const { ctx } = peer.instance;
  const created = await ctx.transaction((tx) =>
    createAccount(tx, {
      email: `${username}@exemple.fr`,
      username,
      displayName,
      password: "un mot de passe solide",
      language: "fr",
      role: "member",
    }),
  );
  if (!created.ok) throw new Error(created.error);
  const user = created.value;
  // A member of long standing, whom the new-account pace of the forums does not slow down.
  await ctx.db
    .updateTable("users")
    .set({ discoverable: true, created_at: new Date(Date.now() - 30 * 86_400_000) })
    .where("id", "=", user.id)
    .execute();
  const { token } = await issueApiToken(ctx.db, user.id, "snapshots");
  return { user, username, token };
}
