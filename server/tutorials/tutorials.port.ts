// What tutorials need from federation, called by the routes inside the transaction that changed
// the tutorial, so the activities leave after commit (outbox) and never for a rolled-back change.
// `federation/tutorials` implements it; the composition root puts it in `ctx.ports.tutorials`.
import type { Tx } from "../db/transaction.ts";

/** A GET as it reached us, for its HTTP signature to be checked. */
export interface SignedGet {
  /** The path and query asked for (the request target). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface TutorialsPort {
  /**
   * The host of the instance that signed this GET when our federation policy allows it (a
   * network tutorial's images are served to them, ADR 0126); else null.
   */
  allowedSigner(request: SignedGet): Promise<string | null>;
  /** A tutorial was published (or published again): the CMCAS's followers get a Create. */
  published(tx: Tx, tutorialId: string): Promise<void>;
  /** A published tutorial, its steps or its images changed (Update). */
  updated(tx: Tx, tutorialId: string): Promise<void>;
  /**
   * A tutorial other instances saw is gone (removed by staff, or back to draft): a Delete of its
   * Tombstone, with the reason, if any, as the Delete's `summary`.
   */
  withdrawn(
    tx: Tx,
    tutorial: { id: string; visibility: string },
    reason: string | null,
  ): Promise<void>;
  /** Our member commented a remote tutorial: a Note in reply to its Article goes to its instance. */
  commented(tx: Tx, input: { tutorialId: string; postId: string; userId: string }): Promise<void>;
  /** Our member made a remote tutorial: a Note with the photo, marked as made-it (ADR 0116). */
  made(tx: Tx, input: { tutorialId: string; madeId: string; userId: string }): Promise<void>;
  /**
   * Our member added a photo to the album of a remote offer they took part in: a Note in reply
   * to its Event, with the photo, goes to the offer's instance.
   */
  albumPhoto(tx: Tx, input: { offerId: string; photoId: string; userId: string }): Promise<void>;
  /**
   * Such a photo was removed here, by its author or by our staff (with `reason`): a Delete of its
   * Note, from its author's actor, goes to the offer's instance.
   */
  albumPhotoRemoved(
    tx: Tx,
    input: { offerId: string; photoId: string; userId: string; reason?: string | null },
  ): Promise<void>;
  /**
   * Our staff removed from one of our offers' albums a photo a remote participant sent: a Delete
   * of its Note, from the offer's publisher, goes to its author's instance (it leaves the album
   * there too).
   */
  /**
   * A photo entered the album of one of our offers (from a participant here, or one a remote
   * participant sent, `pictureUrl` then being its picture's URL): it goes to the instances of the
   * offer's remote participants, whose album shows it too (ADR 0127).
   */
  albumShared(
    tx: Tx,
    input: { offerId: string; photoId: string; pictureUrl?: string },
  ): Promise<void>;
  /** A photo left the album of one of our offers: so it does on those instances. */
  albumUnshared(
    tx: Tx,
    input: { offerId: string; photoId: string; reason: string | null },
  ): Promise<void>;
  albumPhotoRejected(
    tx: Tx,
    input: { uri: string; actorUrl: string; reason: string | null },
  ): Promise<void>;
  /**
   * Our member's "useful" vote on a remote tutorial: a Like, or the Undo of `likeId`. Gives the
   * id of the Like it sent, kept with the vote for its Undo.
   */
  voted(
    tx: Tx,
    input: { tutorialId: string; userId: string; on: boolean; likeId: string | null },
  ): Promise<string | null>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    tutorials?: TutorialsPort;
  }
}
