// Every activity type the inbox handles, and its handlers in order: the first that returns true
// wins. The map is exhaustive: a type added to INBOX_ACTIVITIES without handlers does not compile.
// Features add their types here (offers: Join, Leave, TentativeAccept; forums: Announce…) and
// their handlers to the lists (offers: Create/Update/Delete of Event, Accept/Reject of Join).
import { Accept, Create, Delete, Follow, Reject, Undo, Update } from "@fedify/vocab";
import { Join, Leave, TentativeAccept } from "@fedify/vocab";
import { onAccept, onFollow, onReject, onUndoFollow } from "../follows/follows.inbox.ts";
import { onCreateNote, onDeleteNote, onUpdateActor, onUpdateNote } from "../notes/notes.inbox.ts";
import { onCreateEvent, onDeleteEvent, onUpdateEvent } from "../offers/offers.inbox.ts";
import { onAcceptOfFollow } from "../offers/backfill.ts";
import { onOfferMessage } from "../offers/messages.ts";
import {
  onAcceptJoin,
  onJoin,
  onLeave,
  onRejectJoin,
  onTentativeAcceptJoin,
} from "../offers/registrations.inbox.ts";
import type { InboxHandler } from "./scope.ts";

export const INBOX_ACTIVITIES = {
  Follow,
  Accept,
  Reject,
  Undo,
  Create,
  Update,
  Delete,
  Join,
  Leave,
  TentativeAccept,
} as const;

export type InboxActivityType = keyof typeof INBOX_ACTIVITIES;

export type InboxHandlers = {
  readonly [K in InboxActivityType]: readonly InboxHandler<
    InstanceType<(typeof INBOX_ACTIVITIES)[K]>
  >[];
};

export const INBOX_HANDLERS: InboxHandlers = {
  Follow: [onFollow],
  Accept: [onAcceptOfFollow, onAccept, onAcceptJoin],
  Reject: [onReject, onRejectJoin],
  Undo: [onUndoFollow],
  Create: [onOfferMessage, onCreateNote, onCreateEvent],
  Update: [onUpdateNote, onUpdateActor, onUpdateEvent],
  Delete: [onDeleteNote, onDeleteEvent],
  Join: [onJoin],
  Leave: [onLeave],
  TentativeAccept: [onTentativeAcceptJoin],
};
