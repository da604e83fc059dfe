// The booking rules, in one place: every registration, cancellation and promotion from the
// waiting list goes through these functions, whoever asks (a member's page, the API, staff, and
// members of other instances through federation). Each one runs inside the caller's transaction
// and first takes the offer's row lock (SELECT … FOR UPDATE), so concurrent requests for one
// offer are served one after the other: the capacity is never exceeded and the waiting list keeps
// the order of arrival. Another instance's offer is booked on that instance: our member's
// registration waits there (`pending`) until its publisher answers (remote-offers.service.ts).
import { DateTime } from "luxon";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { listFamily } from "../members/members.repo.ts";
import { notify } from "../notifications/notifications.service.ts";
import { lockOffer, readOfferSettings, setPlacesTaken, type LockedOffer } from "./offers.repo.ts";
import * as repo from "./registrations.repo.ts";
import { bookingDetails } from "./booking-mail.ts";
import type { Attendee, Participant, RegistrationRow } from "./registrations.repo.ts";
import type {
  BookingDeps,
  CancelError,
  PersonsRequest,
  RegisterError,
  RegisterRequest,
  Registered,
} from "./booking.types.ts";

export type { BookingDeps, CancelError, Participant, PersonsRequest, RegisterError, Registered };

const MAX_COUNT = 50;

async function attendeesOf(
  tx: Tx,
  participant: Participant,
  request: PersonsRequest,
): Promise<Result<Attendee[], "no_persons" | "unknown_family_member" | "too_many_persons">> {
  if ("count" in request) {
    if (!Number.isInteger(request.count) || request.count < 1) return fail("no_persons");
    if (request.count > MAX_COUNT) return fail("too_many_persons");
    return ok(
      Array.from({ length: request.count }, (_, i) => ({
        isMember: participant.kind === "local" && i === 0,
        familyMemberId: null,
        firstName: "",
        // Members of other instances: the birth years their instance sent for age rules.
        birthYear: request.birthYears?.[i] ?? null,
      })),
    );
  }
  if (participant.kind !== "local") return fail("unknown_family_member");
  const family = await listFamily(tx.db, participant.userId);
  const attendees: Attendee[] = [];
  if (request.includeSelf)
    attendees.push({
      isMember: true,
      familyMemberId: null,
      firstName: "",
      birthYear: request.selfBirthYear ?? null,
    });
  for (const id of new Set(request.familyMemberIds)) {
    const member = family.find((f) => f.id === id);
    if (!member) return fail("unknown_family_member");
    attendees.push({
      isMember: false,
      familyMemberId: member.id,
      firstName: member.firstName,
      birthYear: member.birthYear,
    });
  }
  if (attendees.length === 0) return fail("no_persons");
  return ok(attendees);
}

/** Age rules count the age reached in the year of the activity (âge dans l'année). */
function checkAges(
  offer: LockedOffer,
  attendees: Attendee[],
): Result<void, "age_unknown" | "too_young" | "too_old"> {
  if (offer.min_age === null && offer.max_age === null) return ok(undefined);
  const year = DateTime.fromJSDate(offer.starts_at, { zone: offer.timezone }).year;
  for (const attendee of attendees) {
    if (attendee.birthYear === null)
      return fail("age_unknown", { name: attendee.firstName || null });
    const age = year - attendee.birthYear;
    if (offer.min_age !== null && age < offer.min_age)
      return fail("too_young", { name: attendee.firstName || null, age: offer.min_age });
    if (offer.max_age !== null && age > offer.max_age)
      return fail("too_old", { name: attendee.firstName || null, age: offer.max_age });
  }
  return ok(undefined);
}

function checkWindow(
  offer: LockedOffer,
  now: Date,
  byStaff: boolean,
): Result<void, "not_published" | "not_yet_open" | "closed"> {
  if (offer.status !== "published") return fail("not_published");
  if (byStaff) return now < offer.ends_at ? ok(undefined) : fail("closed");
  if (offer.registration_opens_at && now < offer.registration_opens_at)
    return fail("not_yet_open", { opensAt: offer.registration_opens_at.toISOString() });
  const closesAt = offer.registration_closes_at ?? offer.starts_at;
  if (now >= closesAt || now >= offer.starts_at) return fail("closed");
  return ok(undefined);
}

const CONFIRMING = new Set(["registrationConfirmed", "addedByStaff", "promoted"]);

async function tell(
  tx: Tx,
  deps: BookingDeps,
  registration: Pick<RegistrationRow, "userId">,
  offer: Pick<LockedOffer, "id" | "title">,
  name: string,
  data: Record<string, string | number> = {},
): Promise<void> {
  // Members of other instances are told by their own instance, through federation.
  if (!registration.userId) return;
  // A place that is theirs comes with its date, place, price and calendar file.
  const details = CONFIRMING.has(name)
    ? await bookingDetails(tx.db, deps.publicUrl, offer.id, registration.userId)
    : undefined;
  await notify(tx, deps.publicUrl, {
    userId: registration.userId,
    kind: `offers:${name}`,
    data: { offer: offer.title, ...details?.data, ...data },
    link: `/offers/${offer.id}`,
    email: "registrations",
    ...(details ? { attachments: details.attachments } : {}),
  });
}

/** Books a place, on our offer or (for our members) on another instance's. */
export async function register(
  tx: Tx,
  deps: BookingDeps,
  request: RegisterRequest,
): Promise<Result<Registered, RegisterError>> {
  const offer = await lockOffer(tx.db, request.offerId);
  const { participant } = request;
  if (offer?.remote_uri && participant.kind === "local" && !request.byStaff)
    return requestRemote(tx, deps, offer, participant.userId, request.persons);
  const outcome = await registerHere(tx, deps, offer, request);
  // A member of another instance hears the outcome from the booking rules, whatever it is.
  if (participant.kind === "remote" && request.joinActivityId)
    await deps.federation.joinAnswered(
      tx,
      {
        offerId: request.offerId,
        actorUrl: participant.actorUrl,
        joinActivityId: request.joinActivityId,
      },
      outcome.ok
        ? {
            status: outcome.value.status === "waitlisted" ? "waitlisted" : "confirmed",
            position: outcome.value.position,
          }
        : { status: "refused", reason: outcome.error, details: outcome.details },
    );
  return outcome;
}

async function registerHere(
  tx: Tx,
  deps: BookingDeps,
  offer: LockedOffer | undefined,
  request: RegisterRequest,
): Promise<Result<Registered, RegisterError>> {
  const now = deps.now ?? new Date();
  if (!offer || offer.remote_uri !== null) return fail("not_found");
  // Members of other instances book only what other instances may see.
  if (
    request.participant.kind === "remote" &&
    (offer.visibility === "local" || offer.published_at === null)
  )
    return fail("not_found");
  const window = checkWindow(offer, now, request.byStaff === true);
  if (!window.ok) return window;
  if (await repo.findActive(tx.db, offer.id, request.participant))
    return fail("already_registered");
  const attendees = await attendeesOf(tx, request.participant, request.persons);
  if (!attendees.ok) return attendees;
  const persons = attendees.value.length;
  if (persons > Math.min(offer.max_persons_per_registration, offer.capacity))
    return fail("too_many_persons", {
      max: Math.min(offer.max_persons_per_registration, offer.capacity),
    });
  // Staff adding someone by hand (a phone booking) have checked the ages themselves.
  if (!request.byStaff) {
    const ages = checkAges(offer, attendees.value);
    if (!ages.ok) return ages;
  }

  // Nobody waiting fits the free places (promotion runs whenever places free up), so a new
  // registration that fits takes them without passing anyone.
  const fits = persons <= offer.capacity - offer.places_taken;
  const row = await repo.insertRegistration(tx.db, {
    offerId: offer.id,
    participant: request.participant,
    persons,
    status: fits ? "confirmed" : "waitlisted",
    addedByStaff: request.byStaff === true,
    attendees: attendees.value,
    joinActivityId: request.joinActivityId,
  });
  if (fits) {
    await setPlacesTaken(tx.db, offer.id, offer.places_taken + persons);
    await announceFullness(tx, deps, offer, offer.places_taken + persons);
    await tell(tx, deps, row, offer, request.byStaff ? "addedByStaff" : "registrationConfirmed", {
      persons,
    });
    return ok({ id: row.id, status: "confirmed", persons });
  }
  const position = await repo.positionOf(tx.db, offer.id, row.seq);
  await tell(tx, deps, row, offer, "waitlisted", { position });
  return ok({ id: row.id, status: "waitlisted", position, persons });
}

/**
 * Our member books another instance's offer: the registration waits (`pending`) and a Join goes
 * to the publisher, whose booking rules decide (window, ages, capacity). Only the persons' count,
 * and their birth years when the offer has age rules, leave this instance.
 */
async function requestRemote(
  tx: Tx,
  deps: BookingDeps,
  offer: LockedOffer,
  userId: string,
  request: PersonsRequest,
): Promise<Result<Registered, RegisterError>> {
  if (offer.status !== "published") return fail("not_published");
  // The publisher checks the Join against our member's Person actor, which every member has,
  // listed or not (ADR 0087): booking does not make anyone visible to other CMCAS.
  const participant = { kind: "local", userId } as const;
  if (await repo.findActive(tx.db, offer.id, participant)) return fail("already_registered");
  const attendees = await attendeesOf(tx, participant, request);
  if (!attendees.ok) return attendees;
  const persons = attendees.value.length;
  if (persons > offer.max_persons_per_registration)
    return fail("too_many_persons", { max: offer.max_persons_per_registration });
  const ageRules = offer.min_age !== null || offer.max_age !== null;
  const joinActivityId = await deps.federation.joinRequested(tx, {
    userId,
    offerUri: offer.remote_uri!,
    publisherId: offer.remote_actor_id!,
    persons,
    ...(ageRules ? { birthYears: attendees.value.map((a) => a.birthYear) } : {}),
  });
  const row = await repo.insertRegistration(tx.db, {
    offerId: offer.id,
    participant,
    persons,
    status: "pending",
    addedByStaff: false,
    attendees: [],
    joinActivityId,
  });
  return ok({ id: row.id, status: "pending", persons });
}

/**
 * Gives freed places to the waiting list in arrival order: each waiting registration that fits
 * in what is left is confirmed and told; one that does not fit keeps its rank. Announces the
 * places still free when the offer starts soon (last-minute places).
 */
export async function fillFreedPlaces(tx: Tx, deps: BookingDeps, offer: LockedOffer) {
  const now = deps.now ?? new Date();
  let taken = offer.places_taken;
  const promoted: string[] = [];
  for (const waiting of await repo.waitlisted(tx.db, offer.id)) {
    if (taken >= offer.capacity) break;
    if (waiting.persons > offer.capacity - taken) continue;
    await repo.confirm(tx.db, waiting.id);
    taken += waiting.persons;
    promoted.push(waiting.id);
    const remote = remoteRegistration(waiting);
    if (remote) await deps.federation.promoted(tx, remote);
    await tell(tx, deps, waiting, offer, "promoted", { persons: waiting.persons });
  }
  if (taken !== offer.places_taken) await setPlacesTaken(tx.db, offer.id, taken);
  if (taken < offer.capacity && offer.status === "published" && now < offer.starts_at) {
    const { lastMinuteDays } = await readOfferSettings(tx.db);
    if (offer.starts_at.getTime() - now.getTime() <= lastMinuteDays * 86_400_000)
      tx.enqueue("offers.lastMinute", { offerId: offer.id });
  }
  return { promoted, placesTaken: taken };
}

async function cancelLocked(
  tx: Tx,
  deps: BookingDeps,
  offer: LockedOffer,
  registration: RegistrationRow,
  by: "member" | "staff",
): Promise<Result<{ promoted: string[] }, CancelError>> {
  const now = deps.now ?? new Date();
  if (by === "member" && registration.status === "confirmed") {
    const deadline = offer.cancellation_deadline ?? offer.starts_at;
    if (now >= deadline || now >= offer.starts_at)
      return fail("deadline_passed", { deadline: deadline.toISOString() });
  }
  await repo.cancel(tx.db, [registration.id], by);
  if (by === "staff") await tell(tx, deps, registration, offer, "removedByStaff");
  const remote = remoteRegistration(registration);
  if (by === "staff" && remote) await deps.federation.removedByStaff(tx, remote);
  if (registration.status !== "confirmed") return ok({ promoted: [] });
  const freed = { ...offer, places_taken: offer.places_taken - registration.persons };
  await setPlacesTaken(tx.db, offer.id, freed.places_taken);
  const { promoted, placesTaken } = await fillFreedPlaces(tx, deps, freed);
  await announceFullness(tx, deps, offer, placesTaken);
  return ok({ promoted });
}

/** Other instances show whether an offer is full: they hear (Update) when that changes, not at
 * every booking. */
async function announceFullness(tx: Tx, deps: BookingDeps, offer: LockedOffer, taken: number) {
  if (offer.places_taken >= offer.capacity !== taken >= offer.capacity)
    await deps.federation.updated(tx, offer.id);
}

/** A participant withdraws; allowed until the offer's cancellation deadline. */
export async function cancelOwn(
  tx: Tx,
  deps: BookingDeps,
  offerId: string,
  participant: Participant,
): Promise<Result<{ promoted: string[] }, CancelError>> {
  const offer = await lockOffer(tx.db, offerId);
  if (!offer) return fail("not_found");
  const registration = await repo.findActive(tx.db, offer.id, participant);
  if (!registration) return fail("not_found");
  if (offer.remote_uri !== null)
    return participant.kind === "local"
      ? leaveRemote(tx, deps, offer, registration)
      : fail("not_found");
  return cancelLocked(tx, deps, offer, registration, "member");
}

/** Our member withdraws from another instance's offer: cancelled here at once, and the
 * publisher is told (Leave); it promotes from its waiting list and tells those concerned. */
async function leaveRemote(
  tx: Tx,
  deps: BookingDeps,
  offer: LockedOffer,
  registration: RegistrationRow,
): Promise<Result<{ promoted: string[] }, CancelError>> {
  const now = deps.now ?? new Date();
  const deadline = offer.cancellation_deadline ?? offer.starts_at;
  if (registration.status === "confirmed" && now >= deadline)
    return fail("deadline_passed", { deadline: deadline.toISOString() });
  await repo.cancel(tx.db, [registration.id], "member", now);
  await deps.federation.left(tx, {
    userId: registration.userId!,
    offerUri: offer.remote_uri!,
    publisherId: offer.remote_actor_id!,
  });
  return ok({ promoted: [] });
}

/** What federation needs of another instance's member's registration, if it is one. */
function remoteRegistration(registration: RegistrationRow) {
  const { actorUrl, joinActivityId, offerId } = registration;
  return actorUrl && joinActivityId ? { offerId, actorUrl, joinActivityId } : undefined;
}

/** Staff remove a registration by hand (no deadline); the member is told. */
export async function removeByStaff(
  tx: Tx,
  deps: BookingDeps,
  offerId: string,
  registrationId: string,
): Promise<Result<{ promoted: string[] }, CancelError>> {
  const offer = await lockOffer(tx.db, offerId);
  if (!offer) return fail("not_found");
  const registration = await repo.findRegistration(tx.db, registrationId);
  if (!registration || registration.offerId !== offer.id || registration.status === "cancelled")
    return fail("not_found");
  return cancelLocked(tx, deps, offer, registration, "staff");
}

/** The offer is cancelled: every registration ends and every registrant is told why. */
export async function cancelEveryRegistration(
  tx: Tx,
  deps: BookingDeps,
  offer: LockedOffer,
  reason: string,
): Promise<number> {
  const registrations = await repo.active(tx.db, offer.id);
  await repo.cancel(
    tx.db,
    registrations.map((r) => r.id),
    "offer",
  );
  await setPlacesTaken(tx.db, offer.id, 0);
  for (const registration of registrations)
    await tell(tx, deps, registration, offer, "offerCancelled", { reason });
  return registrations.length;
}
