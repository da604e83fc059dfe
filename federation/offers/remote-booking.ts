// Booking across instances. On the member's instance (A): a registration on a remote offer is
// kept `pending` and a Join goes, from the member's Person actor, to the offer's publisher; the
// answer (Accept, TentativeAccept, Reject) sets its status. On the offer's instance (B): the Join
// goes through the same booking service as local members, and the outcome is answered.
import { Accept, Join, Leave, Reject, TentativeAccept } from "@fedify/vocab";
import type { Tx } from "../../server/db/transaction.ts";
import { fail, ok, type Result } from "../../server/http/result.ts";
import { listFamily } from "../../server/members/members.repo.ts";
import type { RegisterError, Registered } from "../../server/offers/registrations.service.ts";
import { notify } from "../../server/notifications/notifications.service.ts";
import { findRemoteActor } from "../actors/remote.ts";
import { sendToActors } from "../outbox.ts";
import { actorUri, CMCAS_ACTOR, newActivityId } from "../uris.ts";
import { EVENT_CONTEXT, offerUri } from "./event.ts";

export type RemoteBookError =
  | "not_found"
  | "not_published"
  | "already_registered"
  | "not_discoverable"
  | "no_persons"
  | "too_many_persons"
  | "unknown_family_member";

/** Who comes, as the member chose on our pages; only a count and birth years leave. */
export type RemotePersons =
  | { count: number; birthYear?: number | undefined }
  | { familyMemberIds: string[]; includeSelf: boolean; selfBirthYear?: number | undefined };

async function remoteOffer(tx: Tx, offerId: string) {
  return tx.db
    .selectFrom("offers as o")
    .innerJoin("federation_remote_actors as a", "a.id", "o.remote_actor_id")
    .select([
      "o.id",
      "o.status",
      "o.remote_uri",
      "o.min_age",
      "o.max_age",
      "o.max_persons_per_registration",
      "o.starts_at",
      "o.cancellation_deadline",
      "a.uri as publisher",
    ])
    .where("o.id", "=", offerId)
    .forUpdate("o")
    .executeTakeFirst();
}

async function birthYears(
  tx: Tx,
  userId: string,
  persons: RemotePersons,
): Promise<Result<(number | null)[], RemoteBookError>> {
  if ("count" in persons) {
    if (!Number.isInteger(persons.count) || persons.count < 1) return fail("no_persons");
    if (persons.count > 50) return fail("too_many_persons");
    return ok(
      Array.from({ length: persons.count }, (_, i) =>
        i === 0 ? (persons.birthYear ?? null) : null,
      ),
    );
  }
  const family = await listFamily(tx.db, userId);
  const years: (number | null)[] = persons.includeSelf ? [persons.selfBirthYear ?? null] : [];
  for (const id of new Set(persons.familyMemberIds)) {
    const member = family.find((f) => f.id === id);
    if (!member) return fail("unknown_family_member");
    years.push(member.birthYear);
  }
  return years.length ? ok(years) : fail("no_persons");
}

/** A member of ours books another instance's offer: pending until its publisher answers. */
export async function bookRemote(
  tx: Tx,
  publicUrl: URL,
  request: { offerId: string; userId: string; persons: RemotePersons },
): Promise<Result<{ id: string; status: "pending"; persons: number }, RemoteBookError>> {
  const offer = await remoteOffer(tx, request.offerId);
  if (!offer?.remote_uri) return fail("not_found");
  if (offer.status !== "published") return fail("not_published");
  const user = await tx.db
    .selectFrom("users")
    .select("discoverable")
    .where("id", "=", request.userId)
    .executeTakeFirstOrThrow();
  // The publisher checks the Join against our member's Person actor, which only visible members have.
  if (!user.discoverable) return fail("not_discoverable");
  const active = await tx.db
    .selectFrom("offer_registrations")
    .select("id")
    .where("offer_id", "=", offer.id)
    .where("user_id", "=", request.userId)
    .where("status", "<>", "cancelled")
    .executeTakeFirst();
  if (active) return fail("already_registered");
  const years = await birthYears(tx, request.userId, request.persons);
  if (!years.ok) return years;
  const persons = years.value.length;
  if (persons > offer.max_persons_per_registration)
    return fail("too_many_persons", { max: offer.max_persons_per_registration });
  const joinId = newActivityId(publicUrl);
  const row = await tx.db
    .insertInto("offer_registrations")
    .values({
      offer_id: offer.id,
      user_id: request.userId,
      persons,
      status: "pending",
      join_activity_id: joinId.href,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const ageRules = offer.min_age !== null || offer.max_age !== null;
  const publisher = new URL(offer.publisher);
  await sendToActors(
    tx,
    request.userId,
    [publisher],
    new Join({
      id: joinId,
      actor: actorUri(publicUrl, request.userId),
      object: new URL(offer.remote_uri),
      to: publisher,
    }),
    {
      context: EVENT_CONTEXT,
      fields: {},
      // Ages leave only when the offer has age rules.
      activityFields: { persons, ...(ageRules ? { birthYears: years.value } : {}) },
    },
  );
  return ok({ id: row.id, status: "pending", persons });
}

/** Our member withdraws from a remote offer: cancelled here at once, Leave to the publisher. */
export async function leaveRemote(
  tx: Tx,
  publicUrl: URL,
  offerId: string,
  userId: string,
  now = new Date(),
): Promise<Result<{ promoted: string[] }, "not_found" | "deadline_passed">> {
  const offer = await remoteOffer(tx, offerId);
  if (!offer?.remote_uri) return fail("not_found");
  const registration = await tx.db
    .selectFrom("offer_registrations")
    .select(["id", "status"])
    .where("offer_id", "=", offer.id)
    .where("user_id", "=", userId)
    .where("status", "<>", "cancelled")
    .executeTakeFirst();
  if (!registration) return fail("not_found");
  const deadline = offer.cancellation_deadline ?? offer.starts_at;
  if (registration.status === "confirmed" && now >= deadline)
    return fail("deadline_passed", { deadline: deadline.toISOString() });
  await tx.db
    .updateTable("offer_registrations")
    .set({ status: "cancelled", cancelled_by: "member", cancelled_at: now })
    .where("id", "=", registration.id)
    .execute();
  const publisher = new URL(offer.publisher);
  await sendToActors(
    tx,
    userId,
    [publisher],
    new Leave({
      id: newActivityId(publicUrl),
      actor: actorUri(publicUrl, userId),
      object: new URL(offer.remote_uri),
      to: publisher,
    }),
  );
  // Promotions happen on the home instance, which tells the promoted through their instance.
  return ok({ promoted: [] });
}

/** The Join a registration of another instance's member came with, rebuilt for answers. */
function joinOf(publicUrl: URL, r: { joinId: string; actorUrl: string; offerId: string }) {
  return new Join({
    id: new URL(r.joinId),
    actor: new URL(r.actorUrl),
    object: offerUri(publicUrl, r.offerId),
  });
}

/** B answers a Join with the booking service's outcome. */
export async function answerJoin(
  tx: Tx,
  publicUrl: URL,
  join: { joinId: string; actorUrl: string; offerId: string },
  outcome: Result<Registered, RegisterError>,
): Promise<void> {
  const to = new URL(join.actorUrl);
  const values = {
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, CMCAS_ACTOR),
    object: joinOf(publicUrl, join),
    to,
  };
  if (outcome.ok) {
    await tx.db
      .updateTable("offer_registrations")
      .set({ join_activity_id: join.joinId })
      .where("id", "=", outcome.value.id)
      .execute();
    const activity =
      outcome.value.status === "confirmed" ? new Accept(values) : new TentativeAccept(values);
    const position = outcome.value.position;
    await sendToActors(tx, CMCAS_ACTOR, [to], activity, {
      context: EVENT_CONTEXT,
      fields: {},
      activityFields: position === undefined ? {} : { position },
    });
    return;
  }
  await sendToActors(tx, CMCAS_ACTOR, [to], new Reject(values), {
    context: EVENT_CONTEXT,
    fields: {},
    activityFields: { reason: outcome.error, ...(outcome.details ?? {}) },
  });
}

/** A remote participant left the waiting list for a place (their instance hears Accept), or
 * staff removed them (Reject, reason `removed_by_staff`). */
export async function answerPromotion(
  tx: Tx,
  publicUrl: URL,
  registrationId: string,
  change: "promoted" | "removed" = "promoted",
) {
  const row = await tx.db
    .selectFrom("offer_registrations")
    .select(["offer_id", "actor_url", "join_activity_id"])
    .where("id", "=", registrationId)
    .executeTakeFirst();
  if (!row?.actor_url || !row.join_activity_id) return;
  const join = { joinId: row.join_activity_id, actorUrl: row.actor_url, offerId: row.offer_id };
  const values = {
    id: newActivityId(publicUrl),
    actor: actorUri(publicUrl, CMCAS_ACTOR),
    object: joinOf(publicUrl, join),
    to: new URL(row.actor_url),
  };
  if (change === "promoted") await sendToActors(tx, CMCAS_ACTOR, [values.to], new Accept(values));
  else
    await sendToActors(tx, CMCAS_ACTOR, [values.to], new Reject(values), {
      context: EVENT_CONTEXT,
      fields: {},
      activityFields: { reason: "removed_by_staff" },
    });
}

/** A's side: the answer of the publisher to one of our Joins, if it is the offer's publisher. */
export async function applyAnswer(
  tx: Tx,
  publicUrl: URL,
  senderUri: string,
  joinId: string,
  answer:
    | { status: "confirmed" }
    | { status: "waitlisted"; position: number | null }
    | { status: "rejected"; reason: string },
): Promise<boolean> {
  const registration = await tx.db
    .selectFrom("offer_registrations as r")
    .innerJoin("offers as o", "o.id", "r.offer_id")
    .select(["r.id", "r.status", "r.user_id", "r.persons", "r.cancelled_by", "o.id as offer_id"])
    .select(["o.title", "o.remote_actor_id", "o.remote_uri"])
    .where("r.join_activity_id", "=", joinId)
    .where("r.user_id", "is not", null)
    .forUpdate("r")
    .executeTakeFirst();
  if (!registration?.remote_actor_id) return false;
  const publisher = await findRemoteActor(tx.db, { id: registration.remote_actor_id });
  if (publisher?.uri !== senderUri) return false;
  if (registration.status === "cancelled") {
    // The member left before the answer came: the Leave may have overtaken the Join on the
    // way, so it is said again for a booking the publisher reports as made.
    if (registration.cancelled_by === "member" && answer.status !== "rejected")
      await sendToActors(
        tx,
        registration.user_id!,
        [new URL(senderUri)],
        new Leave({
          id: newActivityId(publicUrl),
          actor: actorUri(publicUrl, registration.user_id!),
          object: new URL(registration.remote_uri!),
          to: new URL(senderUri),
        }),
      );
    return true;
  }
  const now = new Date();
  await tx.db
    .updateTable("offer_registrations")
    .set(
      answer.status === "confirmed"
        ? { status: "confirmed", confirmed_at: now, remote_position: null }
        : answer.status === "waitlisted"
          ? { status: "waitlisted", remote_position: answer.position }
          : {
              status: "cancelled",
              cancelled_by: "offer",
              cancelled_at: now,
              refusal: answer.reason,
            },
    )
    .where("id", "=", registration.id)
    .execute();
  const kind =
    answer.status === "confirmed"
      ? registration.status === "waitlisted"
        ? "promoted"
        : "registrationConfirmed"
      : answer.status === "waitlisted"
        ? "waitlisted"
        : "remoteRefused";
  if (kind === "waitlisted" && registration.status === "waitlisted") return true;
  await notify(tx, publicUrl, {
    userId: registration.user_id!,
    kind: `offers:${kind}`,
    data: {
      offer: registration.title,
      persons: registration.persons,
      ...(answer.status === "waitlisted" ? { position: answer.position ?? "?" } : {}),
    },
    link: `/offers/${registration.offer_id}`,
    email: "registrations",
  });
  return true;
}
