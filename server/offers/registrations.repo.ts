import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import { isUuid } from "./offers.repo.ts";
import type { RegistrationStatus } from "./offers.tables.ts";

/** Who registers: a member of this instance, or (through federation) of another one. */
export type Participant =
  | { kind: "local"; userId: string }
  | { kind: "remote"; actorUrl: string; displayName: string; instance: string };

export interface Attendee {
  isMember: boolean;
  familyMemberId: string | null;
  firstName: string;
  birthYear: number | null;
}

export interface RegistrationRow {
  id: string;
  seq: number;
  offerId: string;
  userId: string | null;
  actorUrl: string | null;
  persons: number;
  status: RegistrationStatus;
  /** The Join it came with (another instance's member) or went with (our member, elsewhere). */
  joinActivityId: string | null;
}

const columns = [
  "id",
  "seq",
  "offer_id",
  "user_id",
  "actor_url",
  "persons",
  "status",
  "join_activity_id",
] as const;
const toRow = (r: {
  id: string;
  seq: number;
  offer_id: string;
  user_id: string | null;
  actor_url: string | null;
  persons: number;
  status: RegistrationStatus;
  join_activity_id: string | null;
}): RegistrationRow => ({
  id: r.id,
  seq: Number(r.seq),
  offerId: r.offer_id,
  userId: r.user_id,
  actorUrl: r.actor_url,
  persons: r.persons,
  status: r.status,
  joinActivityId: r.join_activity_id,
});

export async function findActive(
  db: Db,
  offerId: string,
  participant: Participant,
): Promise<RegistrationRow | undefined> {
  const row = await db
    .selectFrom("offer_registrations")
    .select(columns)
    .where("offer_id", "=", offerId)
    .where("status", "<>", "cancelled")
    .where(
      participant.kind === "local" ? "user_id" : "actor_url",
      "=",
      participant.kind === "local" ? participant.userId : participant.actorUrl,
    )
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function findRegistration(db: Db, id: string): Promise<RegistrationRow | undefined> {
  if (!isUuid(id)) return undefined;
  const row = await db
    .selectFrom("offer_registrations")
    .select(columns)
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? toRow(row) : undefined;
}

export async function insertRegistration(
  db: Db,
  values: {
    offerId: string;
    participant: Participant;
    persons: number;
    status: "confirmed" | "waitlisted" | "pending";
    addedByStaff: boolean;
    attendees: Attendee[];
    joinActivityId?: string | undefined;
  },
): Promise<RegistrationRow> {
  const { participant } = values;
  const row = await db
    .insertInto("offer_registrations")
    .values({
      offer_id: values.offerId,
      user_id: participant.kind === "local" ? participant.userId : null,
      actor_url: participant.kind === "remote" ? participant.actorUrl : null,
      actor_name: participant.kind === "remote" ? participant.displayName : null,
      actor_instance: participant.kind === "remote" ? participant.instance : null,
      persons: values.persons,
      status: values.status,
      added_by_staff: values.addedByStaff,
      confirmed_at: values.status === "confirmed" ? new Date() : null,
      join_activity_id: values.joinActivityId ?? null,
    })
    .returning(columns)
    .executeTakeFirstOrThrow();
  if (values.attendees.length > 0) {
    await db
      .insertInto("offer_registration_persons")
      .values(
        values.attendees.map((a) => ({
          registration_id: row.id,
          is_member: a.isMember,
          family_member_id: a.familyMemberId,
          first_name: a.firstName,
          birth_year: a.birthYear,
        })),
      )
      .execute();
  }
  return toRow(row);
}

export async function confirm(db: Db, id: string): Promise<void> {
  await db
    .updateTable("offer_registrations")
    .set({ status: "confirmed", confirmed_at: new Date() })
    .where("id", "=", id)
    .execute();
}

export async function cancel(
  db: Db,
  ids: string[],
  by: "member" | "staff" | "offer",
  at = new Date(),
): Promise<void> {
  if (ids.length === 0) return;
  await db
    .updateTable("offer_registrations")
    .set({ status: "cancelled", cancelled_by: by, cancelled_at: at })
    .where("id", "in", ids)
    .execute();
}

/** The waiting list, first come first. */
export async function waitlisted(db: Db, offerId: string): Promise<RegistrationRow[]> {
  const rows = await db
    .selectFrom("offer_registrations")
    .select(columns)
    .where("offer_id", "=", offerId)
    .where("status", "=", "waitlisted")
    .orderBy("seq")
    .execute();
  return rows.map(toRow);
}

export async function active(db: Db, offerId: string): Promise<RegistrationRow[]> {
  const rows = await db
    .selectFrom("offer_registrations")
    .select(columns)
    .where("offer_id", "=", offerId)
    .where("status", "<>", "cancelled")
    .orderBy("seq")
    .execute();
  return rows.map(toRow);
}

export async function positionOf(db: Db, offerId: string, seq: number): Promise<number> {
  const row = await db
    .selectFrom("offer_registrations")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("offer_id", "=", offerId)
    .where("status", "=", "waitlisted")
    .where("seq", "<=", seq as never)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setAttendance(
  db: Db,
  offerId: string,
  present: Set<string>,
): Promise<number> {
  const ids = [...present].filter(isUuid);
  const result = await db
    .updateTable("offer_registrations")
    .set({ attended: ids.length ? sql<boolean>`id in (${sql.join(ids)})` : false })
    .where("offer_id", "=", offerId)
    .where("status", "=", "confirmed")
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** Registrations of an offer with their people, for staff (two queries, no N+1). */
export async function listForOffer(db: Db, offerId: string, includeCancelled = false) {
  let query = db
    .selectFrom("offer_registrations as r")
    .leftJoin("users as u", "u.id", "r.user_id")
    .select([
      "r.id",
      "r.seq",
      "r.user_id",
      "r.actor_url",
      "r.actor_name",
      "r.actor_instance",
      "r.persons",
      "r.status",
      "r.attended",
      "r.added_by_staff",
      "r.created_at",
      "r.cancelled_by",
      "u.display_name",
      "u.email",
    ])
    .where("r.offer_id", "=", offerId);
  if (!includeCancelled) query = query.where("r.status", "<>", "cancelled");
  const rows = await query.orderBy("r.status").orderBy("r.seq").execute();
  const people = rows.length
    ? await db
        .selectFrom("offer_registration_persons")
        .select(["registration_id", "is_member", "first_name", "birth_year"])
        .where(
          "registration_id",
          "in",
          rows.map((r) => r.id),
        )
        .orderBy("is_member", "desc")
        .execute()
    : [];
  let position = 0;
  return rows.map((r) => ({
    id: r.id,
    userId: r.user_id,
    name: r.display_name ?? r.actor_name ?? "",
    email: r.email,
    actorUrl: r.actor_url,
    instance: r.actor_instance,
    persons: r.persons,
    status: r.status,
    position: r.status === "waitlisted" ? ++position : null,
    attended: r.attended,
    addedByStaff: r.added_by_staff,
    createdAt: r.created_at,
    cancelledBy: r.cancelled_by,
    people: people
      .filter((p) => p.registration_id === r.id)
      .map((p) => ({ isMember: p.is_member, firstName: p.first_name, birthYear: p.birth_year })),
  }));
}
export type StaffRegistration = Awaited<ReturnType<typeof listForOffer>>[number];

/** A member's registrations with the offers, newest activity first. */
export async function listForUser(db: Db, userId: string) {
  const rows = await db
    .selectFrom("offer_registrations as r")
    .innerJoin("offers as o", "o.id", "r.offer_id")
    .select([
      "r.id",
      "r.seq",
      "r.offer_id",
      "r.persons",
      "r.status",
      "r.created_at",
      "r.cancelled_by",
      "r.refusal",
      "r.remote_position",
      "o.remote_uri",
      "o.min_age",
      "o.max_age",
      "o.registration_opens_at",
      "o.max_persons_per_registration",
      "o.title",
      "o.starts_at",
      "o.ends_at",
      "o.timezone",
      "o.city",
      "o.location_kind",
      "o.status as offer_status",
      "o.cancellation_deadline",
      sql<number | null>`case when r.status = 'waitlisted' then (
        select count(*) from offer_registrations w
        where w.offer_id = r.offer_id and w.status = 'waitlisted' and w.seq <= r.seq) end`.as(
        "position",
      ),
    ])
    .where("r.user_id", "=", userId)
    .orderBy("o.starts_at", "desc")
    .orderBy("r.created_at", "desc")
    .limit(200)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    offerId: r.offer_id,
    persons: r.persons,
    status: r.status,
    cancelledBy: r.cancelled_by,
    refusal: r.refusal,
    remote: r.remote_uri !== null,
    createdAt: r.created_at,
    // On another instance's offer, the rank is the one that instance told us.
    position:
      r.remote_uri !== null ? r.remote_position : r.position === null ? null : Number(r.position),
    offer: {
      title: r.title,
      startsAt: r.starts_at,
      endsAt: r.ends_at,
      timezone: r.timezone,
      city: r.city,
      locationKind: r.location_kind,
      status: r.offer_status,
      cancellationDeadline: r.cancellation_deadline,
      minAge: r.min_age,
      maxAge: r.max_age,
      registrationOpensAt: r.registration_opens_at,
      maxPersonsPerRegistration: r.max_persons_per_registration,
    },
  }));
}
export type MemberRegistration = Awaited<ReturnType<typeof listForUser>>[number];

/** The reason another instance gave when it last refused this member on its offer. */
export async function lastRefusal(
  db: Db,
  offerId: string,
  userId: string,
): Promise<string | undefined> {
  const row = await db
    .selectFrom("offer_registrations")
    .select(["refusal", "status"])
    .where("offer_id", "=", offerId)
    .where("user_id", "=", userId)
    .orderBy("created_at", "desc")
    .limit(1)
    .executeTakeFirst();
  return row?.status === "cancelled" && row.refusal ? row.refusal : undefined;
}

/** The rank on another instance's waiting list, as it last told us. */
export async function remotePosition(db: Db, registrationId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom("offer_registrations")
    .select("remote_position")
    .where("id", "=", registrationId)
    .executeTakeFirst();
  return row?.remote_position ?? undefined;
}
