// Who signed a GET (authorized fetch). What only some instances may read — a network group's
// actor and posts, a member's actor when they are not listed — is served to a request signed by
// a key of an allowed instance. The key is fetched with our instance actor's signature, so a
// signer whose own actor is served only to signed fetches can still be checked.
import type { RequestContext } from "@fedify/fedify";
import type { FederationDeps, FederationRuntime } from "./deps.ts";
import { tolerate } from "./tolerate.ts";
import { hostOf, INSTANCE_ACTOR } from "./uris.ts";

/** The host of the instance that signed the request, when our policy allows it; else null. */
export async function allowedSigner(
  ctx: RequestContext<void>,
  deps: FederationDeps,
): Promise<string | null> {
  const read = async () => {
    const documentLoader = await ctx.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    return ctx.getSignedKey({ documentLoader });
  };
  const log = deps.app.log.child({ fetch: ctx.url.href });
  const key = await tolerate(read(), null, log, "reading the signature of a fetch");
  // The signer is the host the key was fetched from (its id); an owner elsewhere is refused.
  if (!key?.id) return null;
  const host = hostOf(key.id);
  if (key.ownerId && hostOf(key.ownerId) !== host) return null;
  return (await deps.policy.allows(host)) ? host : null;
}

/**
 * The same check for a GET that reached an Express route (a network tutorial's image: pages, not
 * Fedify objects): the request is rebuilt as the sender signed it, on PUBLIC_URL's origin and host.
 */
export function allowedSignerOfGet(
  runtime: Pick<FederationRuntime, "federation"> & FederationDeps,
  request: { url: string; headers: Record<string, string | string[] | undefined> },
): Promise<string | null> {
  const publicUrl = runtime.app.config.publicUrl;
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (Array.isArray(value)) for (const v of value) headers.append(name, v);
    else if (typeof value === "string") headers.set(name, value);
  }
  // draft-cavage signatures cover `host`: the one the sender used is PUBLIC_URL's.
  headers.set("host", publicUrl.host);
  const url = new URL(request.url, publicUrl);
  if (url.origin !== publicUrl.origin) return Promise.resolve(null);
  const ctx = runtime.federation.createContext(new Request(url, { headers }), undefined);
  return allowedSigner(ctx, runtime);
}
