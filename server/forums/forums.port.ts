// What forums need from federation. The forum services call it inside their transaction; what it
// sends goes after commit (a job builds the activities, resolving mentions by WebFinger outside
// any request). `federation/forums` implements it and the composition root puts it in
// `ctx.ports.forums` (ADR 0060, 0062).
import type { Tx } from "../db/transaction.ts";
import type { Result } from "../lib/result.ts";

/** What a group of another instance's actor gives its local entry. */
export interface RemoteGroupActor {
  uri: string;
  host: string;
  username: string;
  name: string;
  /** Sanitized HTML. */
  summary: string;
  url: string | null;
  /** As a Maillage group states it; other software's groups say nothing (ADR 0085). */
  visibility?: "public" | "network";
}

export type FindGroupError =
  "invalid" | "not_allowed" | "not_found" | "local" | "not_discoverable" | "not_group";

export interface ForumsPort {
  /** A post was written: our federated group announces it, or the remote group receives it. */
  postCreated(tx: Tx, postId: string): Promise<void>;
  postUpdated(tx: Tx, postId: string): Promise<void>;
  /**
   * A moderator removed a post of one of our federated groups (Delete, with the reason), or its
   * author deleted it (`byAuthor`: the author's Delete, in whichever group it is).
   */
  postRemoved(tx: Tx, postId: string, reason: string, byAuthor?: boolean): Promise<void>;
  /** A moderator restored a removed post of one of our federated groups (Undo of the Delete). */
  postRestored(tx: Tx, postId: string, reason: string): Promise<void>;
  /** A report about a post of a remote group: its instance hears it (Flag). */
  reported(tx: Tx, reportId: string): Promise<void>;
  /** Someone of another instance banned from one of our federated groups (Block). */
  banned(tx: Tx, banId: string): Promise<void>;
  /** A topic of one of our federated groups locked or reopened (Lock, Undo(Lock)). */
  topicLocked(tx: Tx, topicId: string, locked: boolean, reason: string): Promise<void>;
  /** A topic of one of our federated groups pinned or unpinned (Add, Remove to `featured`). */
  topicPinned(tx: Tx, topicId: string, pinned: boolean, reason: string): Promise<void>;
  /** A topic moved from group `fromGroupId` to another of our groups (Move, by each group). */
  topicMoved(tx: Tx, topicId: string, fromGroupId: string, reason: string): Promise<void>;
  /** A group's name or description changed: its followers fetch it again. */
  groupChanged(tx: Tx, groupId: string): Promise<void>;
  /** Our member liked (or no longer likes) a post of a remote group. */
  liked(tx: Tx, postId: string, userId: string): Promise<void>;
  unliked(tx: Tx, postId: string, userId: string, likeActivityId: string | null): Promise<void>;
  /**
   * A group elsewhere, by handle (`@name@host`, Lemmy's `!name@host`) or URL, for member `userId`
   * to follow (the group's instance checks their actor, which every member has). Looks it up
   * over the network: call it outside a transaction.
   */
  findGroup(userId: string, target: string): Promise<Result<RemoteGroupActor, FindGroupError>>;
  /** Our member follows a remote group (Follow from their actor); its history is read after. */
  followGroup(tx: Tx, userId: string, group: { id: string; apId: string }): Promise<void>;
  /** Our member left a remote group: their Follow of it is undone. */
  unfollowGroup(tx: Tx, userId: string, groupApId: string): Promise<void>;
  /**
   * The avatars of remote authors, by actor URI, as our sized copies (`/media/<key>`) once made;
   * asking for those not made yet (a job makes them). Absent: show the initial.
   */
  remoteAvatars(actorUris: readonly string[]): Promise<Map<string, string>>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    forums: ForumsPort;
  }
}
