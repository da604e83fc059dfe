// Finds a remote actor from what a person typed: a handle (@cmcas@cmcas-lyon.fr) or a URL.
// The domain policy is checked before anything is fetched, and again on the actor's own host.
import { isIP } from "node:net";
import type { Context } from "@fedify/fedify";
import { isActor, parseFediverseHandle } from "@fedify/vocab";
import type { Db } from "../../server/db/database.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import type { DomainPolicy } from "../policy.ts";
import { hostOf } from "../uris.ts";
import { remoteActorFromVocab, saveRemoteActor, type RemoteActor } from "./remote.ts";
import type { Logger } from "pino";
import { tolerate } from "../tolerate.ts";

export type LookupError = "invalid" | "not_allowed" | "not_found" | "local";

export interface LookupDeps {
  db: Db;
  log: Logger;
  policy: DomainPolicy;
  ownHost: string;
  /** Loopback trials: WebFinger of `@x@127.0.0.1:3001` over http (acct: is always https). */
  allowPrivateAddresses: boolean;
}

function isLoopbackHost(host: string): boolean {
  const hostname = host.replace(/:\d+$/, "").replace(/^\[|\]$/g, "");
  return hostname === "localhost" || isIP(hostname) !== 0;
}

async function webFingerOverHttp(username: string, host: string): Promise<URL | undefined> {
  const resource = encodeURIComponent(`acct:${username}@${host}`);
  const res = await fetch(`http://${host}/.well-known/webfinger?resource=${resource}`, {
    headers: { accept: "application/jrd+json" },
    signal: AbortSignal.timeout(10_000),
  });
  if (!res.ok) return undefined;
  const jrd = (await res.json()) as { links?: { rel?: string; type?: string; href?: string }[] };
  const self = jrd.links?.find(
    (l) => l.rel === "self" && /activity\+json|ld\+json/.test(l.type ?? "") && l.href,
  );
  return self?.href ? new URL(self.href) : undefined;
}

export async function lookupRemoteActor(
  deps: LookupDeps,
  fctx: Context<void>,
  target: string,
): Promise<Result<RemoteActor, LookupError>> {
  const text = target.trim();
  let where: URL | string;
  let host: string;
  if (/^https?:\/\//i.test(text)) {
    try {
      where = new URL(text);
    } catch {
      return fail("invalid");
    }
    host = hostOf(where);
  } else {
    const handle = parseFediverseHandle(text.startsWith("@") ? text : `@${text}`);
    if (!handle) return fail("invalid");
    host = handle.host.toLowerCase();
    where = `@${handle.username}@${host}`;
    if (deps.allowPrivateAddresses && isLoopbackHost(host)) {
      const self = await tolerate(
        webFingerOverHttp(handle.username, host),
        undefined,
        deps.log.child({ lookup: text }),
        "WebFinger over http",
      );
      if (!self) return fail("not_found");
      where = self;
    }
  }
  if (host === deps.ownHost) return fail("local");
  if (!(await deps.policy.allows(host))) return fail("not_allowed");
  const log = deps.log.child({ lookup: text });
  const object = await tolerate(fctx.lookupObject(where), null, log, "looking up the actor");
  if (!isActor(object) || !object.id) return fail("not_found");
  if (hostOf(object.id) === deps.ownHost) return fail("local");
  if (!(await deps.policy.allows(object.id))) return fail("not_allowed");
  const input = await remoteActorFromVocab(object, log);
  if (!input) return fail("not_found");
  return ok(await saveRemoteActor(deps.db, input));
}
