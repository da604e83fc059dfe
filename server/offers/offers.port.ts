// What offers need from federation, called by the offers services inside their transaction; the
// activities are delivered after commit, and never for a change rolled back. `federation/offers`
// implements it and the composition root puts it in `ctx.ports.offers` (ADR 0060, 0062).
import type { Tx } from "../db/transaction.ts";

/** A registration of another instance's member, as its Join made it. */
export interface RemoteRegistration {
  offerId: string;
  actorUrl: string;
  /** The Join's id, which the answers name. */
  joinActivityId: string;
}

/** A member of ours and another instance's offer (kept here with its publisher). */
export interface RemoteOfferRequest {
  userId: string;
  offerUri: string;
  /** The publisher's remote actor (`offers.remote_actor_id`). */
  publisherId: number;
}

export interface OffersPort {
  /** One of our offers was published: its followers hear of it (Create). */
  published(tx: Tx, offerId: string): Promise<void>;
  /** One of our offers changed (details, capacity, full or not any more): followers hear (Update). */
  updated(tx: Tx, offerId: string): Promise<void>;
  /** One of our offers was cancelled (an Update with its status). */
  cancelled(tx: Tx, offerId: string): Promise<void>;
  /** One of our offers that other instances saw is deleted (its URL answers a Tombstone). */
  deleted(tx: Tx, offer: { id: string; visibility: string }): Promise<void>;
  /**
   * A member of ours asks to join another instance's offer (Join, from the member's actor, with
   * the persons and, when the offer has age rules, their birth years). Returns the Join's id.
   */
  joinRequested(
    tx: Tx,
    request: RemoteOfferRequest & { persons: number; birthYears?: (number | null)[] },
  ): Promise<string>;
  /** A member of ours withdraws from another instance's offer (Leave). */
  left(tx: Tx, request: RemoteOfferRequest): Promise<void>;
  /** The booking rules answered a Join of another instance's member. */
  joinAnswered(
    tx: Tx,
    registration: RemoteRegistration,
    answer:
      | { status: "confirmed" | "waitlisted"; position?: number | undefined }
      | { status: "refused"; reason: string; details?: Record<string, unknown> | undefined },
  ): Promise<void>;
  /** Another instance's member left our waiting list for a place (Accept). */
  promoted(tx: Tx, registration: RemoteRegistration): Promise<void>;
  /** Staff removed another instance's member from one of our offers (Reject). */
  removedByStaff(tx: Tx, registration: RemoteRegistration): Promise<void>;
  /** Staff write to the participants of an offer who came from other instances (direct Note). */
  messageSent(
    tx: Tx,
    offer: { id: string; title: string },
    body: string,
    actorUrls: readonly string[],
  ): Promise<void>;
}

declare module "../ports.ts" {
  interface FederationPorts {
    offers: OffersPort;
  }
}
