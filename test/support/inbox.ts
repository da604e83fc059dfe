// Inbox POSTs as a peer sends them: a `Create(Note)` from an instance's CMCAS, signed with that
// CMCAS's key (either HTTP signature spec, optionally dated in the past). Shared by the inbox
// security tests, the hardening tests and the fuzz run (bench/fuzz).
import "../../federation/temporal.ts";
import { signRequest } from "@fedify/fedify";
import type { TestInstance } from "./instance.ts";

export const AS = "application/activity+json";
export const PUBLIC = "https://www.w3.org/ns/activitystreams#Public";

export type SignatureSpec = "rfc9421" | "draft-cavage-http-signatures-12";

export interface Signer {
  key: CryptoKey;
  keyId: string | URL;
  spec?: SignatureSpec;
  /** Signs as if it were this many minutes ago (a replayed or stale request). */
  minutesAgo?: number;
}

/** A public `Create(Note)` by `origin`'s CMCAS, with fresh ids. */
export function createNote(origin: string, text: string) {
  const actor = `${origin}/users/cmcas`;
  const id = crypto.randomUUID();
  return {
    "@context": "https://www.w3.org/ns/activitystreams",
    id: `${origin}/activities/${id}`,
    type: "Create",
    actor,
    to: [PUBLIC],
    object: {
      id: `${origin}/notes/${id}`,
      type: "Note",
      attributedTo: actor,
      content: `<p>${text}</p>`,
      to: [PUBLIC],
    },
  };
}

/** The private key of `instance`'s CMCAS actor and its id (at its PUBLIC_URL). */
export async function cmcasSigner(instance: TestInstance, spec?: SignatureSpec): Promise<Signer> {
  const key = (await instance.federation.keys.pairs("cmcas"))[0]!.privateKey;
  const keyId = new URL("/users/cmcas#main-key", instance.ctx.config.publicUrl);
  return { key, keyId, ...(spec ? { spec } : {}) };
}

/**
 * A POST of `body` (an object, sent as JSON, or bytes sent as they are) to `inbox`, signed by
 * `signer` when given. `contentType: ""` sends none.
 */
export async function inboxRequest(
  inbox: string,
  body: object | Uint8Array,
  signer?: Signer,
  contentType: string = AS,
): Promise<Request> {
  const request = new Request(inbox, {
    method: "POST",
    headers: { ...(contentType ? { "content-type": contentType } : {}), accept: AS },
    body: body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body),
  });
  if (!signer) return request;
  const at = Date.now() - (signer.minutesAgo ?? 0) * 60_000;
  return signRequest(request, signer.key, new URL(signer.keyId), {
    spec: signer.spec ?? "draft-cavage-http-signatures-12",
    currentTime: Temporal.Instant.fromEpochMilliseconds(at),
  });
}
