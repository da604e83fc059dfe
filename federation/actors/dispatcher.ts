// Serves local actors as ActivityStreams (browsers get the HTML page at the same URL), maps
// WebFinger handles to them, and hands Fedify their key pairs.
import type { Federation, RequestContext } from "@fedify/fedify";
import {
  Application,
  Endpoints,
  Group,
  Image,
  Organization,
  Person,
  type Actor,
} from "@fedify/vocab";
import type { FederationDeps } from "../deps.ts";
import { INSTANCE_ACTOR, PATHS } from "../uris.ts";
import type { LocalActor } from "./local.ts";

const CLASSES = { Application, Organization, Person, Group } as const;

async function toVocab(ctx: RequestContext<void>, actor: LocalActor): Promise<Actor> {
  const id = actor.identifier;
  const keys = await ctx.getActorKeyPairs(id);
  const uri = ctx.getActorUri(id);
  const Class = CLASSES[actor.type];
  return new Class({
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
    endpoints: new Endpoints({ sharedInbox: ctx.getInboxUri() }),
    manuallyApprovesFollowers: actor.follows !== "auto",
    discoverable: true,
    publicKey: keys[0]?.cryptographicKey ?? null,
    assertionMethods: keys.map((k) => k.multikey),
  });
}

export function registerActors(federation: Federation<void>, deps: FederationDeps): void {
  federation
    .setActorDispatcher(PATHS.actor, async (ctx, identifier) => {
      const actor = await deps.actors.byIdentifier(identifier);
      return actor ? toVocab(ctx, actor) : null;
    })
    .mapActorAlias(PATHS.instanceActor, INSTANCE_ACTOR)
    .mapHandle(
      async (_ctx, username) => (await deps.actors.byUsername(username))?.identifier ?? null,
    )
    .setKeyPairsDispatcher(async (_ctx, identifier) =>
      (await deps.actors.byIdentifier(identifier)) ? deps.keys.pairs(identifier) : [],
    );
}
