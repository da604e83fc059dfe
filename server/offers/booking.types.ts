// The vocabulary of booking, shared by the booking service (registrations.service.ts) and its
// side for other instances' offers (remote-booking.service.ts).
import type { AppContext } from "../context.ts";
import type { OffersPort } from "./offers.port.ts";
import type { Participant } from "./registrations.repo.ts";

export interface BookingDeps {
  publicUrl: URL;
  /** What offers need from federation (`ctx.ports.offers`). */
  federation: OffersPort;
  now?: Date;
}

/** Who comes: a number of persons, or (members of this instance) named family members. */
export type PersonsRequest =
  | { count: number; birthYears?: (number | null)[] }
  | { familyMemberIds: string[]; includeSelf: boolean; selfBirthYear?: number | undefined };

export type RegisterError =
  | "not_found"
  | "not_published"
  | "not_yet_open"
  | "closed"
  | "already_registered"
  | "no_persons"
  | "too_many_persons"
  | "unknown_family_member"
  | "age_unknown"
  | "too_young"
  | "too_old"
  /** Another instance's offer: its publisher checks the Join against the member's actor. */
  | "not_discoverable";

export interface Registered {
  id: string;
  /** `pending`: another instance's offer, until its publisher answers. */
  status: "confirmed" | "waitlisted" | "pending";
  /** Rank on the waiting list, from 1. */
  position?: number;
  persons: number;
}

export type CancelError = "not_found" | "deadline_passed";

export interface RegisterRequest {
  offerId: string;
  participant: Participant;
  persons: PersonsRequest;
  byStaff?: boolean;
  /** The Join a member of another instance sent (their instance matches our answer with it). */
  joinActivityId?: string | undefined;
}

/** The offers' dependencies from the instance's context (its port is filled in at boot). */
export function bookingDeps(ctx: Pick<AppContext, "config" | "ports">): BookingDeps {
  return {
    publicUrl: ctx.config.publicUrl,
    get federation() {
      return ctx.ports.offers;
    },
  };
}
