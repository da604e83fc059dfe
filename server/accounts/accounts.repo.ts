import { sql } from "kysely";
import type { Db } from "../db/database.ts";
import type { Language, NotificationPrefs, Role } from "./accounts.tables.ts";

export interface User {
  id: string;
  email: string;
  emailConfirmed: boolean;
  username: string;
  displayName: string;
  role: Role;
  homeSlvieId: string | null;
  language: Language;
  notificationPrefs: NotificationPrefs;
  discoverable: boolean;
  createdAt: Date;
}

export const DEFAULT_NOTIFICATION_PREFS: NotificationPrefs = {
  emailRegistrations: true,
  emailReminders: true,
  emailLastMinute: true,
  emailForums: "digest",
};

const userColumns = [
  "id",
  "email",
  "email_confirmed_at",
  "username",
  "display_name",
  "role",
  "home_slvie_id",
  "language",
  "notification_prefs",
  "discoverable",
  "created_at",
] as const;

type UserRow = {
  id: string;
  email: string;
  email_confirmed_at: Date | null;
  username: string;
  display_name: string;
  role: Role;
  home_slvie_id: string | null;
  language: Language;
  notification_prefs: Partial<NotificationPrefs>;
  discoverable: boolean;
  created_at: Date;
};

function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    emailConfirmed: row.email_confirmed_at !== null,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    homeSlvieId: row.home_slvie_id,
    language: row.language,
    notificationPrefs: { ...DEFAULT_NOTIFICATION_PREFS, ...row.notification_prefs },
    discoverable: row.discoverable,
    createdAt: row.created_at,
  };
}

export async function findUserById(db: Db, id: string): Promise<User | undefined> {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return undefined;
  const row = await db
    .selectFrom("users")
    .select(userColumns)
    .where("id", "=", id)
    .executeTakeFirst();
  return row ? toUser(row) : undefined;
}

/** Several accounts in one statement (a notice to many people), by id; unknown ids are left out. */
export async function findUsersByIds(db: Db, ids: readonly string[]): Promise<Map<string, User>> {
  const valid = ids.filter((id) => /^[0-9a-f-]{36}$/i.test(id));
  if (valid.length === 0) return new Map();
  const rows = await db.selectFrom("users").select(userColumns).where("id", "in", valid).execute();
  return new Map(rows.map((row) => [row.id, toUser(row)]));
}

export async function findUserByUsername(db: Db, username: string): Promise<User | undefined> {
  const row = await db
    .selectFrom("users")
    .select(userColumns)
    .where(sql`lower(username)`, "=", username.toLowerCase())
    .executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function findCredentialsByEmail(
  db: Db,
  email: string,
): Promise<{ user: User; passwordHash: string } | undefined> {
  const row = await db
    .selectFrom("users")
    .select([...userColumns, "password_hash"])
    .where(sql`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
  return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined;
}

export async function findPasswordHash(db: Db, userId: string): Promise<string | undefined> {
  const row = await db
    .selectFrom("users")
    .select("password_hash")
    .where("id", "=", userId)
    .executeTakeFirst();
  return row?.password_hash;
}

export async function emailExists(db: Db, email: string): Promise<boolean> {
  const row = await db
    .selectFrom("users")
    .select("id")
    .where(sql`lower(email)`, "=", email.toLowerCase())
    .executeTakeFirst();
  return row !== undefined;
}

export async function usernameExists(db: Db, username: string): Promise<boolean> {
  return (await findUserByUsername(db, username)) !== undefined;
}

export interface NewUser {
  email: string;
  passwordHash: string;
  username: string;
  displayName: string;
  role: Role;
  language: Language;
  confirmed: boolean;
}

export async function insertUser(db: Db, user: NewUser): Promise<User> {
  const row = await db
    .insertInto("users")
    .values({
      email: user.email,
      password_hash: user.passwordHash,
      username: user.username,
      display_name: user.displayName,
      role: user.role,
      language: user.language,
      notification_prefs: JSON.stringify(DEFAULT_NOTIFICATION_PREFS),
      email_confirmed_at: user.confirmed ? new Date() : null,
    })
    .returning(userColumns)
    .executeTakeFirstOrThrow();
  return toUser(row);
}

export async function countAdmins(db: Db): Promise<number> {
  const row = await db
    .selectFrom("users")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("role", "=", "admin")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function setPasswordHash(db: Db, userId: string, hash: string): Promise<void> {
  await db
    .updateTable("users")
    .set({ password_hash: hash, updated_at: new Date() })
    .where("id", "=", userId)
    .execute();
}

export async function markEmailConfirmed(db: Db, userId: string): Promise<void> {
  await db
    .updateTable("users")
    .set({ email_confirmed_at: new Date(), updated_at: new Date() })
    .where("id", "=", userId)
    .where("email_confirmed_at", "is", null)
    .execute();
}

export async function setRole(db: Db, userId: string, role: Role): Promise<void> {
  await db
    .updateTable("users")
    .set({ role, updated_at: new Date() })
    .where("id", "=", userId)
    .execute();
}

export async function insertEmailToken(
  db: Db,
  token: { hash: string; userId: string; purpose: "confirm" | "reset"; expiresAt: Date },
): Promise<void> {
  await db
    .insertInto("email_tokens")
    .values({
      token_hash: token.hash,
      user_id: token.userId,
      purpose: token.purpose,
      expires_at: token.expiresAt,
    })
    .execute();
}

/** Marks a token used and returns its owner, in one statement so it works only once. */
export async function consumeEmailToken(
  db: Db,
  hash: string,
  purpose: "confirm" | "reset",
): Promise<{ userId: string; expired: boolean } | undefined> {
  const row = await db
    .updateTable("email_tokens")
    .set({ used_at: new Date() })
    .where("token_hash", "=", hash)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .returning(["user_id", "expires_at"])
    .executeTakeFirst();
  if (!row) return undefined;
  return { userId: row.user_id, expired: row.expires_at.getTime() < Date.now() };
}

/** Voids a member's unused links of one purpose (e.g. older reset links once one was used). */
export async function voidEmailTokens(
  db: Db,
  userId: string,
  purpose: "confirm" | "reset",
): Promise<void> {
  await db
    .updateTable("email_tokens")
    .set({ used_at: new Date() })
    .where("user_id", "=", userId)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .execute();
}

export async function peekEmailToken(
  db: Db,
  hash: string,
  purpose: "confirm" | "reset",
): Promise<boolean> {
  const row = await db
    .selectFrom("email_tokens")
    .select("token_hash")
    .where("token_hash", "=", hash)
    .where("purpose", "=", purpose)
    .where("used_at", "is", null)
    .where("expires_at", ">", new Date())
    .executeTakeFirst();
  return row !== undefined;
}
