// The "groupe de l'activité": a private group for the participants of one offer and its staff.
// The offers module calls these functions inside its own transactions (when an offer opens its
// group, and when registrations are confirmed or cancelled); the forums never read offer tables.
import type { Tx } from "../db/transaction.ts";
import { findUserById } from "../accounts/accounts.repo.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import * as repo from "./groups.repo.ts";
import * as members from "./memberships.repo.ts";
import type { Group } from "./groups.repo.ts";
import { slugify } from "./groups.service.ts";

async function freeSlug(tx: Tx, title: string, offerId: string): Promise<string> {
  const base = slugify(`activite ${title}`).slice(0, 40).replace(/_+$/, "");
  const suffix = offerId.replace(/-/g, "").slice(0, 8);
  let slug = `${base}_${suffix}`;
  for (let i = 2; await repo.slugTaken(tx.db, slug); i++) slug = `${base}_${suffix}_${i}`;
  return slug;
}

/**
 * Opens the group of an offer, or returns the one it already has (so calling it twice is safe).
 * Staff members become its moderators.
 */
export async function openOfferGroup(
  tx: Tx,
  input: { offerId: string; title: string; staffUserIds: string[] },
): Promise<Result<Group, "bad_offer_id">> {
  if (!repo.UUID.test(input.offerId)) return fail("bad_offer_id");
  let group = await repo.findGroup(tx.db, { offerId: input.offerId });
  if (!group) {
    const name = input.title.trim().slice(0, 120);
    const id = await repo.insertGroup(tx.db, {
      slug: await freeSlug(tx, name, input.offerId),
      name,
      descriptionSource: "",
      descriptionHtml: "",
      rulesSource: "",
      rulesHtml: "",
      visibility: "private",
      postPolicy: "members",
      joinPolicy: "invitation",
      offerId: input.offerId,
      createdBy: input.staffUserIds[0] ?? null,
    });
    group = (await repo.findGroup(tx.db, { id }))!;
  }
  for (const userId of input.staffUserIds) {
    if (!(await findUserById(tx.db, userId))) continue;
    await members.putMembership(tx.db, {
      groupId: group.id,
      userId,
      role: "moderator",
      state: "active",
      origin: "creator",
    });
    await members.setSubscription(tx.db, userId, { groupId: group.id }, true);
  }
  return ok((await repo.findGroup(tx.db, { id: group.id }))!);
}

async function addParticipant(tx: Tx, group: Group, userId: string): Promise<void> {
  const existing = await members.findMembership(tx.db, group.id, userId);
  if (existing?.state === "active") return;
  await members.putMembership(tx.db, {
    groupId: group.id,
    userId,
    role: "member",
    state: "active",
    origin: "offer",
  });
  await members.setSubscription(tx.db, userId, { groupId: group.id }, true);
}

async function removeParticipant(tx: Tx, group: Group, userId: string): Promise<void> {
  const existing = await members.findMembership(tx.db, group.id, userId);
  // Only memberships the offer created go away with the registration: staff and people a
  // moderator invited stay.
  if (existing?.origin !== "offer") return;
  await members.deleteMembership(tx.db, group.id, userId);
  await members.setSubscription(tx.db, userId, { groupId: group.id }, false);
}

/** Makes the participants of the offer exactly `participantUserIds` (staff untouched). */
export async function syncOfferGroupMembers(
  tx: Tx,
  input: { offerId: string; participantUserIds: string[] },
): Promise<Result<{ added: number; removed: number }, "no_group">> {
  const group = await repo.findGroup(tx.db, { offerId: input.offerId });
  if (!group) return fail("no_group");
  const wanted = new Set(input.participantUserIds);
  const current = await members.listMembers(tx.db, group.id);
  let added = 0;
  let removed = 0;
  for (const member of current) {
    if (member.origin === "offer" && !wanted.has(member.userId)) {
      await removeParticipant(tx, group, member.userId);
      removed += 1;
    }
  }
  const present = new Set(current.filter((m) => m.state === "active").map((m) => m.userId));
  for (const userId of wanted) {
    if (present.has(userId) || !(await findUserById(tx.db, userId))) continue;
    await addParticipant(tx, group, userId);
    added += 1;
  }
  return ok({ added, removed });
}

/** One registration confirmed: its member joins the offer's group (no-op without a group). */
export async function addOfferParticipant(
  tx: Tx,
  input: { offerId: string; userId: string },
): Promise<boolean> {
  const group = await repo.findGroup(tx.db, { offerId: input.offerId });
  if (!group) return false;
  await addParticipant(tx, group, input.userId);
  return true;
}

/** One registration cancelled: its member leaves the offer's group. */
export async function removeOfferParticipant(
  tx: Tx,
  input: { offerId: string; userId: string },
): Promise<boolean> {
  const group = await repo.findGroup(tx.db, { offerId: input.offerId });
  if (!group) return false;
  await removeParticipant(tx, group, input.userId);
  return true;
}
