// Volunteering missions. Each slot of a mission is an offer of the "benevolat" category, so that
// signing up, cancelling, the waiting list, reminders and the network's Events are the offers'
// own (server/offers/registrations.service.ts, notices.service.ts, federation/offers): no
// second booking code to keep right under concurrency.
import { removalSetter } from "../../server/moderation/listing-rows.ts";
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";
import { fail, ok, type Result } from "../../server/lib/result.ts";
import type { BookingDeps } from "../../server/offers/booking.types.ts";
import { findPostalPlace, isUuid } from "../../server/offers/offers.repo.ts";
import { createOffer } from "../../server/offers/offers.service.ts";
import { DEFAULT_TIMEZONE } from "../../server/offers/offers.schemas.ts";
import {
  cancelOwn,
  register,
  type CancelError,
  type RegisterError,
  type Registered,
} from "../../server/offers/registrations.service.ts";
import "./missions.tables.ts";

export const CAUSES = [
  "solidarity",
  "environment",
  "education",
  "health",
  "culture",
  "sport",
  "emergency",
  "other",
] as const;
export const MAX_SLOTS = 5;

export interface SlotInput {
  startsAt: Date;
  durationMinutes: number;
  places: number;
}

export interface MissionInput {
  title: string;
  cause: string;
  organiser: string;
  description: string;
  remote: boolean;
  postalCode: string;
  skills: string;
  network: boolean;
  slots: SlotInput[];
}

export interface MissionProblem {
  field: string;
  key: string;
}

export async function createMission(
  tx: Tx,
  deps: BookingDeps,
  staffId: string,
  input: MissionInput,
  now = new Date(),
): Promise<Result<{ id: string }, "invalid">> {
  const problems: MissionProblem[] = [];
  const add = (field: string, key: string) =>
    problems.push({ field, key: `missions:errors.${key}` });
  const title = input.title.trim();
  if (title.length < 3 || title.length > 150) add("title", "title");
  if (!(CAUSES as readonly string[]).includes(input.cause)) add("cause", "cause");
  const organiser = input.organiser.trim();
  if (organiser.length < 2 || organiser.length > 120) add("organiser", "organiser");
  const place = input.remote ? undefined : await findPostalPlace(tx.db, input.postalCode);
  if (!input.remote && !place) add("postalCode", "postalCode");
  if (input.slots.length === 0 || input.slots.length > MAX_SLOTS) add("slot1Date", "slots");
  input.slots.forEach((slot, i) => {
    if (Number.isNaN(slot.startsAt.getTime()) || slot.startsAt <= now)
      add(`slot${i + 1}Date`, "slotDate");
    if (
      !Number.isInteger(slot.durationMinutes) ||
      slot.durationMinutes < 15 ||
      slot.durationMinutes > 1440
    )
      add(`slot${i + 1}Hours`, "slotHours");
    if (!Number.isInteger(slot.places) || slot.places < 1 || slot.places > 500)
      add(`slot${i + 1}Places`, "slotPlaces");
  });
  if (problems.length) return fail("invalid", { problems });
  const category = await tx.db
    .selectFrom("offer_categories")
    .select("id")
    .where("slug", "=", "benevolat")
    .executeTakeFirstOrThrow();
  const mission = await tx.db
    .insertInto("missions")
    .values({
      title,
      cause: input.cause,
      organiser,
      description: input.description.trim().slice(0, 5000),
      remote: input.remote,
      postal_code: place?.code ?? null,
      city: place?.commune ?? "",
      latitude: place?.latitude ?? null,
      longitude: place?.longitude ?? null,
      skills: input.skills.trim().slice(0, 300),
      network: input.network,
      created_by: staffId,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const page = new URL(`/missions/${mission.id}`, deps.publicUrl).href;
  for (const slot of input.slots) {
    const created = await createOffer(
      tx,
      deps,
      staffId,
      {
        title,
        summary: [organiser, input.skills.trim()].filter(Boolean).join(" — ").slice(0, 300),
        description: input.description,
        categoryId: category.id,
        audiences: ["tous"],
        startsAt: slot.startsAt,
        endsAt: new Date(slot.startsAt.getTime() + slot.durationMinutes * 60_000),
        timezone: DEFAULT_TIMEZONE,
        registrationOpensAt: null,
        registrationClosesAt: null,
        cancellationDeadline: null,
        locationKind: input.remote ? "online" : "place",
        address: "",
        postalCode: place?.code ?? null,
        city: place?.commune ?? "",
        latitude: place?.latitude ?? null,
        longitude: place?.longitude ?? null,
        onlineUrl: input.remote ? page : null,
        capacity: slot.places,
        maxPersonsPerRegistration: 1,
        minAge: null,
        maxAge: null,
        priceTiers: [],
        organiserSlvieId: null,
        // A network mission is told to the instances that follow this one (as an Event).
        visibility: input.network ? "network" : "local",
      },
      true,
    );
    if (!created.ok)
      return fail("invalid", { problems: [{ field: "slot1Date", key: "missions:errors.slots" }] });
    await tx.db
      .insertInto("mission_slots")
      .values({
        mission_id: mission.id,
        offer_id: created.value.id,
        duration_minutes: slot.durationMinutes,
      })
      .execute();
  }
  return ok({ id: mission.id });
}

async function slotOf(db: Db, missionId: string, offerId: string) {
  if (!isUuid(missionId) || !isUuid(offerId)) return undefined;
  return db
    .selectFrom("mission_slots as s")
    .innerJoin("missions as m", "m.id", "s.mission_id")
    .select(["s.offer_id", "m.status", "m.removed_reason"])
    .where("s.mission_id", "=", missionId)
    .where("s.offer_id", "=", offerId)
    .executeTakeFirst();
}

/** Signs a member up for a slot: the offers' booking, one person. */
export async function signUp(
  tx: Tx,
  deps: BookingDeps,
  input: { missionId: string; slotId: string; userId: string },
): Promise<Result<Registered, RegisterError | "closed">> {
  const slot = await slotOf(tx.db, input.missionId, input.slotId);
  if (!slot) return fail("not_found");
  if (slot.status !== "open" || slot.removed_reason !== null) return fail("closed");
  return register(tx, deps, {
    offerId: slot.offer_id,
    participant: { kind: "local", userId: input.userId },
    persons: { count: 1 },
  });
}

export async function cancelSignUp(
  tx: Tx,
  deps: BookingDeps,
  input: { missionId: string; slotId: string; userId: string },
): Promise<Result<unknown, CancelError>> {
  const slot = await slotOf(tx.db, input.missionId, input.slotId);
  if (!slot) return fail("not_found");
  return cancelOwn(tx, deps, slot.offer_id, { kind: "local", userId: input.userId });
}

const setMissionRemoved = removalSetter("missions");

/**
 * Hides the mission (with the reason shown to its author) or shows it again. Its slots are offers
 * that the offers' own pages, API and remote `Join`s could still book: a removed mission's slots go
 * back to draft (not listed, not bookable by anyone, staff included) and are published again on
 * restore. Missions never keep a slot in draft otherwise, so the restore finds only these.
 */
export async function setRemoved(tx: Tx, id: string, reason: string | null): Promise<void> {
  await setMissionRemoved(tx, id, reason);
  const [from, to] =
    reason === null ? (["draft", "published"] as const) : (["published", "draft"] as const);
  await tx.db
    .updateTable("offers")
    .set({ status: to, updated_at: new Date() })
    .where("status", "=", from)
    .where(
      "id",
      "in",
      tx.db.selectFrom("mission_slots").select("offer_id").where("mission_id", "=", id),
    )
    .execute();
}
