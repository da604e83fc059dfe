// Offers of the actors we follow (a CMCAS, a Mobilizon group, a Gancio instance): Create, Update
// and Delete of their Events put them in our catalogue, marked with their territory. Also: the
// messages publishers send our members about offers they registered for, and the backfill of a
// publisher's offers when it accepts our Follow.
import { Note, type Create, type Delete, type Update } from "@fedify/vocab";
import type { Db } from "../../server/db/database.ts";
import { bookingDeps } from "../../server/offers/booking.types.ts";
import { plainText } from "../../server/offers/rich-text.ts";
import {
  deleteRemoteOffer,
  noticeFromPublisher,
} from "../../server/offers/remote-offers.service.ts";
import { findRemoteActor, followedByUs, type RemoteActor } from "../actors/remote.ts";
import { backfillOnAccept } from "../follows/backfill-on-accept.ts";
import { sanitizeHtmlAs } from "../../server/lib/html-policy.ts";
import { rawDocument } from "../inbox/raw.ts";
import { route, type InboxInput } from "../inbox/route.ts";
import { tolerate } from "../tolerate.ts";
import { INSTANCE_ACTOR } from "../uris.ts";
import { keepRemoteOffer, readRemoteEvent } from "./remote-offers.ts";
import { plainTerms } from "./terms.ts";

type Json = Record<string, unknown>;

/** Members' actors are `/users/<their id>`; other local actors have names. */
const MEMBER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether a local actor (the CMCAS or a member) follows `actor`, with its Accept: as read with
 * the actor when it is an incoming activity's sender, else read now.
 */
export async function isFollowed(db: Db, actor: RemoteActor): Promise<boolean> {
  if (actor.followed !== undefined) return actor.followed;
  const row = await db
    .selectFrom("federation_remote_actors as a")
    .select("a.id")
    .where("a.id", "=", actor.id)
    .where(followedByUs)
    .executeTakeFirst();
  return row !== undefined;
}

/** The Event as its publisher wrote it: embedded in the activity, or as fetched (Fedify's Event
 * drops the Mobilizon-compatible terms we read). */
async function eventJson(input: InboxInput): Promise<Json | undefined> {
  const embedded = input.raw?.object;
  if (typeof embedded === "object" && embedded !== null && !Array.isArray(embedded))
    return plainTerms(embedded as Json);
  const fetched = rawDocument(await input.object());
  if (fetched) return plainTerms(fetched);
  const id = input.activity.objectId;
  if (!id) return undefined;
  const loader = await input.fed.getDocumentLoader({ identifier: INSTANCE_ACTOR });
  const { document } = await loader(id.href);
  return typeof document === "object" && document !== null
    ? plainTerms(document as Json)
    : undefined;
}

/**
 * Whose event it is: the sender when we follow it, or else the followed actor of the same server
 * the Event is attributed to (Mobilizon sends a group's events with `actor` = the organising
 * person and `attributedTo` = the group).
 */
async function followedPublisher(
  input: InboxInput,
  json: Json,
  sender: RemoteActor,
): Promise<RemoteActor | undefined> {
  const { db } = input.deps.app;
  if (await isFollowed(db, sender)) return sender;
  const attributed = (Array.isArray(json.attributedTo) ? json.attributedTo : [json.attributedTo])
    .map((a) => (typeof a === "string" ? a : (a as Json | undefined)?.id))
    .filter((a): a is string => typeof a === "string" && a !== sender.uri);
  for (const uri of attributed) {
    const actor = await findRemoteActor(db, { uri });
    if (actor && actor.host === sender.host && (await isFollowed(db, actor))) return actor;
  }
  return undefined;
}

const onEvent = route<Create | Update>({
  name: "offers.event",
  activity: ["Create", "Update"],
  object: "Event",
  async handle(input) {
    const json = await tolerate(eventJson(input), undefined, input.log, "reading the Event");
    if (json?.type !== "Event") return false;
    const { app } = input.deps;
    const sender = await input.sender();
    if (!sender) throw new Error(`cannot fetch the actor ${input.senderUri.href}`);
    const publisher = await followedPublisher(input, json, sender);
    if (!publisher) return true;
    const event = readRemoteEvent(json, publisher);
    if (!event) return true;
    await keepRemoteOffer(app, publisher.id, event);
    return true;
  },
});

const onDeleteEvent = route<Delete>({
  name: "offers.delete",
  activity: "Delete",
  object: "*",
  async handle(input) {
    const uri = input.activity.objectId?.href;
    if (!uri) return false;
    const { app } = input.deps;
    const sender = await findRemoteActor(app.db, { uri: input.senderUri.href });
    if (!sender) return false;
    return app.transaction((tx) => deleteRemoteOffer(tx, sender.id, uri));
  },
});

/**
 * A direct Note from the publisher of an offer our members registered for, in reply to its
 * Event, addressed only to our members (a forum post names a group: never this route's).
 */
const onOfferMessage = route<Create>({
  name: "offers.message",
  activity: "Create",
  object: "Note",
  async handle(input) {
    const note = await input.object();
    if (!(note instanceof Note) || !note.replyTargetId || note.audienceId) return false;
    const recipients = [...note.toIds, ...note.ccIds].map((u) => input.fed.parseUri(u));
    if (recipients.some((p) => p?.type !== "actor")) return false;
    const userIds = recipients.flatMap((p) =>
      p?.type === "actor" && MEMBER_ID.test(p.identifier) ? [p.identifier] : [],
    );
    const { app } = input.deps;
    const publisher = await findRemoteActor(app.db, { uri: input.senderUri.href });
    if (userIds.length === 0 || !publisher) return false;
    const message = plainText(sanitizeHtmlAs("federated", note.content?.toString()));
    const told = await app.transaction((tx) =>
      noticeFromPublisher(tx, bookingDeps(app), {
        offerUri: note.replyTargetId!.href,
        publisherId: publisher.id,
        userIds,
        message,
      }),
    );
    return told > 0;
  },
});

/** A publisher accepts our Follow: its upcoming offers are read from its outbox. */
const onAcceptOfFollow = backfillOnAccept("offers.backfill-on-accept", "offers.backfill");

export const offersInbox = [onEvent, onDeleteEvent, onOfferMessage, onAcceptOfFollow];
