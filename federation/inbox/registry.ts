// Every activity type the inbox handles, and its handlers in order: the first that returns true
// wins. The map is exhaustive: a type added to INBOX_ACTIVITIES without handlers does not compile.
// Features add their types here (offers: Join, Leave, TentativeAccept; forums: Announce…) and
// their handlers to the lists (offers: Create/Update/Delete of Event, Accept/Reject of Join).
import {
  Accept,
  Activity,
  Announce,
  Block,
  Create,
  Delete,
  Flag,
  Follow,
  Join,
  Leave,
  Like,
  Reject,
  Remove,
  TentativeAccept,
  Undo,
  Update,
} from "@fedify/vocab";
import { onAccept, onFollow, onReject, onUndoFollow } from "../follows/follows.inbox.ts";
import {
  onCreateInGroup,
  onDeleteInGroup,
  onFlag,
  onFollowGroup,
  onUpdateInGroup,
} from "../forums/local-groups.ts";
import { onLike, onUndoLike } from "../forums/likes.ts";
import {
  onAnnounceFromGroup,
  onBlockFromGroup,
  onLock,
  onModerationFromGroupHost,
  onUndoLock,
  onUpdateGroupActor,
} from "../forums/remote-groups.ts";
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
  // Forums (FEP-1b12). `Lock` (Lemmy) is not in Fedify's vocabulary: it arrives as a plain
  // Activity, so this entry also receives every other type nobody registered.
  Announce,
  Flag,
  Block,
  Remove,
  Lock: Activity,
  Like,
} as const;

export type InboxActivityType = keyof typeof INBOX_ACTIVITIES;

export type InboxHandlers = {
  readonly [K in InboxActivityType]: readonly InboxHandler<
    InstanceType<(typeof INBOX_ACTIVITIES)[K]>
  >[];
};

export const INBOX_HANDLERS: InboxHandlers = {
  Follow: [onFollowGroup, onFollow],
  Accept: [onAcceptOfFollow, onAccept, onAcceptJoin],
  Reject: [onReject, onRejectJoin],
  Undo: [onUndoFollow, onUndoLock, onUndoLike],
  Create: [onCreateInGroup, onOfferMessage, onCreateNote, onCreateEvent],
  Update: [onUpdateInGroup, onUpdateGroupActor, onUpdateNote, onUpdateActor, onUpdateEvent],
  Delete: [onDeleteInGroup, onDeleteNote, onDeleteEvent],
  Join: [onJoin],
  Leave: [onLeave],
  TentativeAccept: [onTentativeAcceptJoin],
  Announce: [onAnnounceFromGroup],
  Flag: [onFlag],
  Block: [onBlockFromGroup],
  Remove: [onModerationFromGroupHost],
  Lock: [onLock],
  Like: [onLike],
};
