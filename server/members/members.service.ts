// A member's own profile: identity, family members (ayants droit) used by age rules, language,
// notification preferences. Deleting the account is server/privacy's (deletion.service.ts).
import type { Db } from "../db/database.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { handleConflict } from "../accounts/handles.ts";
import { findUserById, type User } from "../accounts/accounts.repo.ts";
import type { NotificationPrefs } from "../accounts/accounts.tables.ts";
import * as repo from "./members.repo.ts";

export type { FamilyMember, ProfileUpdate } from "./members.repo.ts";

const MAX_FAMILY = 20;

export async function updateProfile(
  db: Db,
  user: User,
  update: repo.ProfileUpdate,
): Promise<Result<User, "username_taken" | "username_reserved" | "slvie_unknown">> {
  const username = update.username.toLowerCase();
  if (username !== user.username.toLowerCase()) {
    const conflict = await handleConflict(db, username);
    if (conflict) return fail(`username_${conflict}`);
  }
  if (update.homeSlvieId && !(await repo.slvieExists(db, update.homeSlvieId)))
    return fail("slvie_unknown");
  await repo.updateProfile(db, user.id, { ...update, username });
  return ok((await findUserById(db, user.id))!);
}

export async function updateNotifications(
  db: Db,
  userId: string,
  prefs: NotificationPrefs,
): Promise<void> {
  await repo.updateNotificationPrefs(db, userId, prefs);
}

export function listFamily(db: Db, userId: string) {
  return repo.listFamily(db, userId);
}

export async function addFamilyMember(
  db: Db,
  userId: string,
  member: Omit<repo.FamilyMember, "id">,
): Promise<Result<repo.FamilyMember, "too_many" | "birth_year">> {
  const year = new Date().getFullYear();
  if (member.birthYear > year || member.birthYear < year - 120) return fail("birth_year");
  if ((await repo.countFamily(db, userId)) >= MAX_FAMILY) return fail("too_many");
  return ok(await repo.insertFamilyMember(db, userId, member));
}

export function removeFamilyMember(db: Db, userId: string, id: string): Promise<boolean> {
  return repo.deleteFamilyMember(db, userId, id);
}
