// Who signed a GET (authorized fetch). What only some instances may read — a network group's
// actor and posts, a member's actor when they are not listed — is served to a request signed by
// a key of an allowed instance. The key is fetched with our instance actor's signature, so a
// signer whose own actor is served only to signed fetches can still be checked.
import type { RequestContext } from "@fedify/fedify";
import type { FederationDeps } from "./deps.ts";
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
  const owner = key?.ownerId ?? key?.id;
  if (!owner) return null;
  return (await deps.policy.allows(hostOf(owner))) ? hostOf(owner) : null;
}
