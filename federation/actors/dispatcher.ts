// Serves local actors as ActivityStreams (browsers get the HTML page at the same URL), maps
// WebFinger handles to them, and hands Fedify their key pairs.
import "../temporal.ts";
import type { Federation, RequestContext } from "@fedify/fedify";
import {
  Application,
  Endpoints,
  Group,
  Image,
  Organization,
  Person,
  Tombstone,
  type Actor,
} from "@fedify/vocab";
import { generatorOf, IMPLEMENTS_CONTEXT } from "../capabilities.ts";
import type { FederationDeps } from "../deps.ts";
import { allowedSigner } from "../signed.ts";
import { INSTANCE_ACTOR, PATHS } from "../uris.ts";
import type { LocalActor } from "./local.ts";
import { deletedAccount } from "../privacy/privacy.federation.ts";

/** Our term for a group's visibility (FEDERATION.md, "Forums"). */
export const VISIBILITY_CONTEXT = {
  maillage: "urn:maillage:ns#",
  visibility: "maillage:visibility",
};

/**
 * The actor document with what Fedify's vocabulary cannot say: the software's capabilities
 * (FEP-844e `generator.implements`, federation/capabilities.ts) and a group's `visibility`.
 */
function stating(actor: Actor, visibility: "public" | "network" | undefined): Actor {
  // Every actor class shares Person's toJsonLd.
  const Base = actor.constructor as new (...args: never[]) => Person;
  class Stated extends Base {
    override async toJsonLd(options: Parameters<Person["toJsonLd"]>[0] = {}): Promise<unknown> {
      const json = (await super.toJsonLd({ ...options, format: "compact" })) as Record<
        string,
        unknown
      >;
      const context = json["@context"];
      const contexts = Array.isArray(context) ? context : [context];
      return {
        ...json,
        "@context": [
          ...contexts,
          visibility ? { ...IMPLEMENTS_CONTEXT, ...VISIBILITY_CONTEXT } : IMPLEMENTS_CONTEXT,
        ],
        generator: generatorOf("Maillage"),
        ...(visibility ? { visibility } : {}),
      };
    }
  }
  return Object.setPrototypeOf(actor, Stated.prototype) as Actor;
}

const CLASSES = { Application, Organization, Person, Group } as const;

async function toVocab(ctx: RequestContext<void>, actor: LocalActor): Promise<Actor> {
  const id = actor.identifier;
  const keys = await ctx.getActorKeyPairs(id);
  const uri = ctx.getActorUri(id);
  const Class = CLASSES[actor.type];
  const served = new Class({
    id: uri,
    preferredUsername: actor.username,
    name: actor.name,
    summary: actor.summary || null,
    url: uri,
    icon: actor.iconPath ? new Image({ url: new URL(actor.iconPath, ctx.canonicalOrigin) }) : null,
    inbox: ctx.getInboxUri(id),
    outbox: ctx.getOutboxUri(id),
    followers: ctx.getFollowersUri(id),
    following: ctx.getFollowingUri(id),
    // Groups list their pinned topics, as Lemmy and NodeBB do (federation/forums/pins.ts).
    featured: actor.type === "Group" ? ctx.getFeaturedUri(id) : null,
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    manuallyApprovesFollowers: actor.follows !== "auto",
    discoverable: !actor.unlisted,
    indexable: actor.unlisted ? false : null,
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  });
  return stating(served, actor.visibility);
}

/** Whether the request may read the actor `identifier` (and its collections): everyone, or for
 * restricted actors a signed request of an allowed instance that the actor accepts. */
export async function mayRead(
  ctx: RequestContext<void>,
  deps: FederationDeps,
  identifier: string,
): Promise<boolean> {
  const actor = await deps.actors.byIdentifier(identifier);
  if (!actor?.restricted) return true;
  const signer = await allowedSigner(ctx, deps);
  if (signer === null) return false;
  return actor.mayFetch ? actor.mayFetch(signer) : true;
}

export function registerActors(federation: Federation<void>, deps: FederationDeps): void {
  federation
    .setActorDispatcher(PATHS.actor, async (ctx, identifier) => {
      const actor = await deps.actors.byIdentifier(identifier);
      // WebFinger asked by actor URL: an unlisted member is not found that way either.
      if (actor?.unlisted && ctx.url.pathname === "/.well-known/webfinger") return null;
      if (actor) return toVocab(ctx, actor);
      // A member who deleted their account: 410 Gone with a Tombstone, so that others drop it.
      const deleted = await deletedAccount(deps.app.db, identifier);
      return deleted
        ? new Tombstone({
            id: ctx.getActorUri(identifier),
            deleted: Temporal.Instant.fromEpochMilliseconds(deleted.getTime()),
          })
        : null;
    })
    .authorize(async (ctx, identifier) => mayRead(ctx, deps, identifier))
    .mapActorAlias(PATHS.instanceActor, INSTANCE_ACTOR)
    .mapHandle(
      async (_ctx, username) => (await deps.actors.byUsername(username))?.identifier ?? null,
    )
    // A deleted member's keys still sign the Delete of their actor.
    .setKeyPairsDispatcher(async (_ctx, identifier) =>
      (await deps.actors.byIdentifier(identifier)) ||
      (await deletedAccount(deps.app.db, identifier))
        ? deps.keys.pairs(identifier)
        : [],
    );
}
