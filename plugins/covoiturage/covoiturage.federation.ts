// The carpooling plugin's federation half (ADR 0146): the port through which network rides reach
// the followers of the CMCAS actor (Create of a Document, Delete of its Tombstone), and the inbox
// routes keeping the rides of the CMCAS we follow through the plugin's service. Switched off, the
// routes are skipped by the inbox and the port sends nothing; the rows kept stay.
import { Create, Delete, Tombstone, type Update } from "@fedify/vocab";
import type { FederationDeps } from "../../federation/deps.ts";
import { rawDocument } from "../../federation/inbox/raw.ts";
import { route, type InboxInput } from "../../federation/inbox/route.ts";
import type { FederationModule } from "../../federation/module.ts";
import { isFollowed } from "../../federation/offers/offers.inbox.ts";
import { findRemoteActor } from "../../federation/actors/remote.ts";
import { publishToFollowers } from "../../federation/outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../../federation/uris.ts";
import type { RidesPort } from "./covoiturage.port.ts";
import { findRide } from "./covoiturage.service.ts";
import { deleteRemoteRide, saveRemoteRide } from "./remote-rides.service.ts";
import { readRide, rideDocument, rideUri } from "./ride.document.ts";

type Json = Record<string, unknown>;
const NAME = "covoiturage";

function ridesPort(deps: FederationDeps): RidesPort {
  const { config, modules } = deps.app;
  const publicUrl = config.publicUrl;
  const actor = actorUri(publicUrl, CMCAS_ACTOR);
  const followers = new URL(`${actor.href}/followers`);
  return {
    async published(tx, rideId) {
      if (!modules.isEnabled(NAME)) return;
      const ride = await findRide(tx.db, rideId);
      if (!ride?.network || ride.status !== "open" || ride.removed_reason !== null) return;
      const { document, extras } = rideDocument(publicUrl, ride);
      const create = new Create({
        id: newActivityId(publicUrl),
        actor,
        object: document,
        tos: [followers],
      });
      await publishToFollowers(tx, CMCAS_ACTOR, create, extras);
    },
    async withdrawn(tx, rideId) {
      if (!modules.isEnabled(NAME)) return;
      const object = new Tombstone({ id: rideUri(publicUrl, rideId) });
      const remove = new Delete({ id: newActivityId(publicUrl), actor, object, tos: [followers] });
      await publishToFollowers(tx, CMCAS_ACTOR, remove);
    },
  };
}

/** The Document as its publisher wrote it: embedded, or as fetched. */
async function documentJson(input: InboxInput): Promise<Json | undefined> {
  const embedded = input.raw?.object;
  if (typeof embedded === "object" && embedded !== null && !Array.isArray(embedded))
    return embedded as Json;
  return rawDocument(await input.object());
}

const onRide = route<Create | Update>({
  name: "covoiturage.ride",
  activity: ["Create", "Update"],
  object: "Document",
  async handle(input) {
    const json = await documentJson(input);
    if (!json) return false;
    const sender = await input.sender();
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    const ride = readRide(json, sender.name || sender.host);
    if (!ride) return false;
    const { app } = input.deps;
    // Only the CMCAS we follow fill our matching, and only with rides of their own server.
    if (!(await isFollowed(app.db, sender)) || new URL(ride.uri).host !== sender.host) return true;
    const kept = await app.transaction((tx) => saveRemoteRide(tx, sender.id, ride));
    if (!kept) input.log.info({ ride: ride.uri }, "remote ride refused: a field does not fit");
    return true;
  },
});

const onDelete = route<Delete>({
  name: "covoiturage.delete",
  activity: "Delete",
  object: "*",
  async handle(input) {
    const uri = input.activity.objectId?.href;
    if (!uri) return false;
    const { app } = input.deps;
    const sender = await findRemoteActor(app.db, { uri: input.senderUri.href });
    if (!sender) return false;
    return app.transaction((tx) => deleteRemoteRide(tx, sender.id, uri));
  },
});

export const covoiturageFederation: FederationModule = {
  name: NAME,
  ports: (runtime) => ({ covoiturage: ridesPort(runtime) }),
  inbox: [onRide, onDelete],
};
