import type { Db } from "../db/database.ts";
import type { Language, NotificationPrefs, Relation } from "../accounts/accounts.tables.ts";

export interface FamilyMember {
  id: string;
  firstName: string;
  relation: Relation;
  birthYear: number;
}

export interface ProfileUpdate {
  displayName: string;
  username: string;
  homeSlvieId: string | null;
  language: Language;
  discoverable: boolean;
}

export async function updateProfile(db: Db, userId: string, update: ProfileUpdate): Promise<void> {
  await db
    .updateTable("users")
    .set({
      display_name: update.displayName,
      username: update.username,
      home_slvie_id: update.homeSlvieId,
      language: update.language,
      discoverable: update.discoverable,
      updated_at: new Date(),
    })
    .where("id", "=", userId)
    .execute();
}

export async function updateNotificationPrefs(
  db: Db,
  userId: string,
  prefs: NotificationPrefs,
): Promise<void> {
  await db
    .updateTable("users")
    .set({ notification_prefs: JSON.stringify(prefs), updated_at: new Date() })
    .where("id", "=", userId)
    .execute();
}

export async function listFamily(db: Db, userId: string): Promise<FamilyMember[]> {
  const rows = await db
    .selectFrom("family_members")
    .select(["id", "first_name", "relation", "birth_year"])
    .where("user_id", "=", userId)
    .orderBy("birth_year")
    .orderBy("first_name")
    .execute();
  return rows.map((r) => ({
    id: r.id,
    firstName: r.first_name,
    relation: r.relation,
    birthYear: r.birth_year,
  }));
}

export async function insertFamilyMember(
  db: Db,
  userId: string,
  member: Omit<FamilyMember, "id">,
): Promise<FamilyMember> {
  const row = await db
    .insertInto("family_members")
    .values({
      user_id: userId,
      first_name: member.firstName,
      relation: member.relation,
      birth_year: member.birthYear,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return { id: row.id, ...member };
}

export async function deleteFamilyMember(db: Db, userId: string, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  const result = await db
    .deleteFrom("family_members")
    .where("id", "=", id)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

export async function countFamily(db: Db, userId: string): Promise<number> {
  const row = await db
    .selectFrom("family_members")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("user_id", "=", userId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function slvieExists(db: Db, id: string): Promise<boolean> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return false;
  return (
    (await db.selectFrom("slvies").select("id").where("id", "=", id).executeTakeFirst()) !==
    undefined
  );
}

export async function deleteUser(db: Db, userId: string): Promise<void> {
  await db.deleteFrom("users").where("id", "=", userId).execute();
}
