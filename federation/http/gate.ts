// Checks an inbox POST before Fedify sees it. Fedify accepts a body carrying a valid Linked Data
// signature or integrity proof without looking at the HTTP signature, so a captured request could
// be replayed forever; here every POST must carry a fresh HTTP signature by a key of an allowed
// instance. Fedify then authenticates the activity itself (LD signature, proof or HTTP signature).
import "../temporal.ts";
import { verifyRequest, type DocumentLoader, type KeyCache } from "@fedify/fedify";
import type { CryptographicKey, Multikey } from "@fedify/vocab";
import type { DomainPolicy } from "../policy.ts";
import type { Logger } from "pino";
import { tolerate } from "../tolerate.ts";
import { forgetMultikey, multikeyAware } from "./multikey.ts";

export interface Refusal {
  status: 400 | 401 | 403;
  detail: string;
}

/** What the gate let through: the body it parsed and the key that verified its signature. */
export interface Admitted {
  json: unknown;
  key: CryptographicKey | Multikey;
}

export interface GateDeps {
  policy: DomainPolicy;
  log: Logger;
  documentLoader: DocumentLoader;
  contextLoader: DocumentLoader;
  /** Keys that verified a signature (federation/http/key-cache.ts). */
  keyCache: KeyCache;
  /** How far a signature's date may be from now, in either direction. */
  timeWindow: Temporal.DurationLike;
}

function signatureKeyId(headers: Headers): URL | undefined {
  const signature = `${headers.get("signature-input") ?? ""} ${headers.get("signature") ?? ""}`;
  const match = /keyid="([^"]+)"/i.exec(signature);
  if (!match) return undefined;
  try {
    return new URL(match[1]!);
  } catch {
    return undefined;
  }
}

function actorOf(json: unknown): string | undefined {
  const actor = (json as { actor?: unknown })?.actor;
  if (typeof actor === "string") return actor;
  const id = (actor as { id?: unknown })?.id;
  return typeof id === "string" ? id : undefined;
}

/** Real activities nest a few levels; thousands only serve to exhaust the stack further on. */
const MAX_DEPTH = 64;

function depth(json: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[json, 1]];
  while (stack.length) {
    const [value, level] = stack.pop()!;
    if (value === null || typeof value !== "object") continue;
    deepest = Math.max(deepest, level);
    if (deepest > MAX_DEPTH) return deepest;
    for (const item of Object.values(value)) stack.push([item, level + 1]);
  }
  return deepest;
}

/**
 * A NUL character or an unpaired UTF-16 surrogate (`"\\ud800"` escaped in JSON) is valid JSON but
 * cannot be stored: PostgreSQL's jsonb (the job queue's payload column) and text refuse both.
 * Found here, such a body is the sender's fault (400); found at enqueue, it used to look like a
 * queue outage (503) and the sender retried it forever.
 */
export function unstorableText(json: unknown): boolean {
  const bad = (text: string) => text.includes("\0") || !text.isWellFormed();
  const stack: unknown[] = [json];
  while (stack.length) {
    const value = stack.pop();
    if (typeof value === "string") {
      if (bad(value)) return true;
    } else if (value !== null && typeof value === "object") {
      for (const [key, item] of Object.entries(value)) {
        if (bad(key)) return true;
        stack.push(item);
      }
    }
  }
  return false;
}

export async function checkInboxPost(
  deps: GateDeps,
  url: URL,
  headers: Headers,
  body: Buffer,
): Promise<{ refusal: Refusal } | Admitted> {
  const refuse = (status: Refusal["status"], detail: string) => ({ refusal: { status, detail } });
  const keyId = signatureKeyId(headers);
  if (!keyId) return refuse(401, "An HTTP signature is required.");
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return refuse(400, "The body is not valid JSON.");
  }
  if (depth(json) > MAX_DEPTH) return refuse(400, "The body is nested too deeply.");
  if (unstorableText(json))
    return refuse(
      400,
      "The body contains a NUL character or an unpaired surrogate, which cannot be stored.",
    );
  const actor = actorOf(json);
  for (const origin of [keyId.href, actor]) {
    if (origin !== undefined && !(await deps.policy.allows(origin)))
      return refuse(403, "This instance does not federate with yours.");
  }
  // After the policy check: a key of an instance we do not federate with is never fetched.
  const keyCache = await multikeyAware(deps, headers, keyId);
  const request = new Request(url, { method: "POST", headers, body: new Uint8Array(body) });
  const key = await tolerate(
    verifyRequest(request, {
      documentLoader: deps.documentLoader,
      contextLoader: deps.contextLoader,
      keyCache,
      timeWindow: deps.timeWindow,
    }),
    null,
    deps.log.child({ activity: (json as { id?: unknown })?.id ?? null, keyId: keyId.href }),
    "verifying the HTTP signature",
  );
  if (!key) {
    forgetMultikey(deps.keyCache, keyId);
    return refuse(
      401,
      "The HTTP signature could not be verified (unknown key, bad signature or stale date).",
    );
  }
  return { json, key };
}
