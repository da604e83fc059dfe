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
  Tombstone,
  type Actor,
} from "@fedify/vocab";
import type { FederationDeps } from "../deps.ts";
import { INSTANCE_ACTOR, PATHS } from "../uris.ts";
import type { LocalActor } from "./local.ts";
import { deletedAccount } from "../privacy/privacy.federation.ts";

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
