// The hub's relay (ADR 0122), compatible with the ActivityPub relays in use (FEP-ae0c): its actor
// is `/users/relay` (an Application). An instance subscribes by following it (LitePub, and
// Maillage's own "subscribe" button) or, as Mastodon does, by a Follow whose object is the public
// collection sent to the relay's inbox; either way the relay accepts. Every public object a member
// publishes or updates (Events today; the types in RELAYED as modules add them) is then announced
// by the relay to its subscribers, by id: they fetch it from its own instance, so nothing the
// relay says is taken on trust.
import { Accept, Announce, PUBLIC_COLLECTION, type Activity, type Follow } from "@fedify/vocab";
import type { AppContext } from "../../server/context.ts";
import { deleteRelayedOffer } from "../../server/offers/remote-offers.service.ts";
import type { LocalActor, LocalActorSource } from "../actors/local.ts";
import { findRemoteActor, resolveRemoteActor } from "../actors/remote.ts";
import type { FederationRuntime } from "../deps.ts";
import { follow as followActor } from "../follows/follows.service.ts";
import { findFollow, saveFollow } from "../follows/follows.repo.ts";
import { route } from "../inbox/route.ts";
import { publishToFollowers, sendToActors } from "../outbox.ts";
import { keepRemoteOffer, readRemoteEvent } from "../offers/remote-offers.ts";
import { plainTerms } from "../offers/terms.ts";
import { INSTANCE_ACTOR, actorUri, hostOf, newActivityId } from "../uris.ts";

export const RELAY_ACTOR = "relay";
/** Object types the relay passes on. A module that federates a new type adds it here. */
export const RELAYED: readonly string[] = ["Event"];

type Json = Record<string, unknown>;

/** The relay actor exists on the hub only. */
export function relayActor(app: AppContext): LocalActorSource {
  const get = async (): Promise<LocalActor> => ({
    identifier: RELAY_ACTOR,
    type: "Application",
    username: RELAY_ACTOR,
    name: `${(await app.settings.get()).name} — relais`,
    summary: "<p>Relais ActivityPub du réseau (FEP-ae0c).</p>",
    follows: "auto",
    listsConnections: false,
  });
  const on = (id: string) => app.config.hub && id.toLowerCase() === RELAY_ACTOR;
  return {
    byIdentifier: async (id) => (on(id) ? get() : null),
    byUsername: async (name) => (on(name) ? get() : null),
  };
}

/** Mastodon's subscription: a Follow of the public collection, sent to the relay's inbox. */
const onPublicFollow = route<Follow>({
  name: "hub.relay-subscribe",
  activity: "Follow",
  object: "*",
  async handle(input) {
    const { app } = input.deps;
    const follow = input.activity;
    if (!app.config.hub || follow.objectId?.href !== PUBLIC_COLLECTION.href || !follow.id)
      return false;
    const sender = await input.sender();
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    const relay = actorUri(app.config.publicUrl, RELAY_ACTOR);
    await app.transaction(async (tx) => {
      const existing = await findFollow(tx.db, {
        localActor: RELAY_ACTOR,
        remoteActorId: sender.id,
        direction: "incoming",
      });
      if (!existing)
        await saveFollow(tx.db, {
          localActor: RELAY_ACTOR,
          localUserId: null,
          remoteActorId: sender.id,
          direction: "incoming",
          state: "accepted",
          activityId: follow.id!.href,
        });
      const to = new URL(sender.uri);
      await sendToActors(
        tx,
        RELAY_ACTOR,
        [to],
        new Accept({ id: newActivityId(app.config.publicUrl), actor: relay, object: follow, to }),
      );
    });
    return true;
  },
});

/** On the hub: a member's public object, created, changed or deleted, is announced to the
 * subscribers. A deletion is announced by the object's id too: the subscriber fetches it from its
 * instance and finds the Tombstone, so a relay cannot make anything disappear on its own say. */
const onMemberObject = route<Activity>({
  name: "hub.relay-announce",
  activity: ["Create", "Update", "Delete"],
  object: [...RELAYED, "Tombstone"],
  async handle(input) {
    const { app } = input.deps;
    if (!app.config.hub) return false;
    const member = await app.db
      .selectFrom("hub_members")
      .select("host")
      .where("host", "=", hostOf(input.senderUri))
      .where("state", "=", "accepted")
      .executeTakeFirst();
    const object = (input.raw?.object ?? null) as Json | null;
    const id = input.activity.objectId;
    if (!member || !id || hostOf(id) !== member.host) return false;
    const audience = [object?.to, object?.cc].flat().filter((a) => typeof a === "string");
    const deleted = input.type === "Delete";
    if (deleted !== (input.objectType === "Tombstone")) return false;
    // A Tombstone says nothing of its audience, and tells nothing but that the object is gone.
    if (
      !deleted &&
      object &&
      !audience.includes(PUBLIC_COLLECTION.href) &&
      !audience.includes("as:Public")
    )
      return false;
    const relay = actorUri(app.config.publicUrl, RELAY_ACTOR);
    await app.transaction((tx) =>
      publishToFollowers(
        tx,
        RELAY_ACTOR,
        new Announce({
          id: newActivityId(app.config.publicUrl),
          actor: relay,
          object: id,
          to: PUBLIC_COLLECTION,
          cc: new URL(`/users/${RELAY_ACTOR}/followers`, app.config.publicUrl),
        }),
      ),
    );
    return false;
  },
});

/** On a subscriber: an Event the relay we follow announces is fetched and kept, current; one its
 * instance now answers with a Tombstone is removed from the catalogue. */
const onRelayedEvent = route<Announce>({
  name: "hub.relay-receive",
  activity: "Announce",
  object: ["Event", "Tombstone"],
  async handle(input) {
    const { app, policy } = input.deps;
    const relay = await findRemoteActor(app.db, { uri: input.senderUri.href });
    const subscribed = relay
      ? await findFollow(app.db, {
          localActor: INSTANCE_ACTOR,
          remoteActorId: relay.id,
          direction: "outgoing",
        })
      : undefined;
    if (!subscribed || subscribed.state !== "accepted") return false;
    const id = input.activity.objectId;
    if (!id) return false;
    if (input.objectType === "Tombstone") {
      // Fetched from the object's own instance by the dispatcher (never trusted from the relay).
      const tombstone = await input.object();
      if (tombstone?.id?.href !== id.href) return false;
      return app.transaction((tx) => deleteRelayedOffer(tx, id.href));
    }
    // Read as its instance serves it now, with the terms Fedify's vocabulary does not keep
    // (capacity, places left, timezone).
    const load = await input.fed.getDocumentLoader({ identifier: INSTANCE_ACTOR });
    const json = plainTerms((await load(id.href)).document as Json);
    const attributed = json.attributedTo;
    const publisherUri = typeof attributed === "string" ? attributed : undefined;
    if (!publisherUri || json.id !== id.href || hostOf(publisherUri) !== hostOf(id)) return false;
    if (!(await policy.allows(publisherUri))) return false;
    const publisher = await resolveRemoteActor(app.db, input.fed, publisherUri, input.log);
    const event = publisher ? readRemoteEvent(json, publisher) : undefined;
    if (!publisher || !event) return false;
    await keepRemoteOffer(app, publisher.id, event);
    return true;
  },
});

export const relayInbox = [onPublicFollow, onMemberObject, onRelayedEvent];

/** An instance's admin subscribes to the relay of the hub at `hubUrl` (its instance follows it). */
export async function subscribeToRelay(runtime: FederationRuntime, hubUrl: URL) {
  const found = await runtime.lookup(new URL(`/users/${RELAY_ACTOR}`, hubUrl.origin).href);
  if (!found.ok) return found;
  const { app } = runtime;
  await app.transaction((tx) =>
    followActor(tx, app.config.publicUrl, { identifier: INSTANCE_ACTOR }, found.value),
  );
  return found;
}

/** The state of this instance's subscription to a hub's relay, if it asked. */
export async function relayState(runtime: FederationRuntime, hubUrl: string) {
  const relay = await findRemoteActor(runtime.app.db, {
    uri: new URL(`/users/${RELAY_ACTOR}`, hubUrl).href,
  });
  if (!relay) return undefined;
  const record = await findFollow(runtime.app.db, {
    localActor: INSTANCE_ACTOR,
    remoteActorId: relay.id,
    direction: "outgoing",
  });
  return record?.state;
}
