// What the command line does to accounts: an admin created or promoted, a password replaced.
import type { Tx } from "../db/transaction.ts";
import type { User } from "../accounts/accounts.repo.ts";
import * as accounts from "../accounts/accounts.repo.ts";
import { createAccount } from "../accounts/accounts.service.ts";
import { RESERVED_USERNAMES } from "../accounts/handles.ts";
import { hashPassword, randomToken } from "../accounts/secrets.ts";
import { fail, ok, type Result } from "../lib/result.ts";

export const MIN_PASSWORD_LENGTH = 10;

/** A password for whom none was given: 20 characters people can read back without ambiguity. */
export function generatePassword(): string {
  const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = Buffer.from(randomToken(32), "base64url");
  return Array.from(bytes.subarray(0, 20), (b) => alphabet[b % alphabet.length]).join("");
}

async function freeUsername(tx: Tx, email: string): Promise<string> {
  let base = email
    .split("@")[0]!
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 24);
  if (base.length < 3 || RESERVED_USERNAMES.has(base)) base = `admin_${base}`.slice(0, 24);
  let username = base;
  for (let n = 2; await accounts.usernameExists(tx.db, username); n++) username = `${base}_${n}`;
  return username;
}

/** Creates an admin account, or makes the account of that address an admin with this password. */
export async function createAdmin(
  tx: Tx,
  email: string,
  password: string,
): Promise<Result<{ user: User; created: boolean }, "password_too_short">> {
  if (password.length < MIN_PASSWORD_LENGTH) return fail("password_too_short");
  const existing = await accounts.findCredentialsByEmail(tx.db, email);
  if (existing) {
    await accounts.setRole(tx.db, existing.user.id, "admin");
    await accounts.setPasswordHash(tx.db, existing.user.id, await hashPassword(password));
    await accounts.markEmailConfirmed(tx.db, existing.user.id);
    return ok({ user: existing.user, created: false });
  }
  const created = await createAccount(tx, {
    email,
    password,
    username: await freeUsername(tx, email),
    displayName: "Administration",
    language: "fr",
    role: "admin",
  });
  if (!created.ok) throw new Error(`could not create the admin: ${created.error}`);
  return ok({ user: created.value, created: true });
}

/**
 * Replaces a member's password. The caller then ends their sessions, after the commit: the
 * session store uses its own connection, which the embedded database only has once the
 * transaction is over.
 */
export async function setPassword(
  tx: Tx,
  email: string,
  password: string,
): Promise<Result<User, "unknown_email" | "password_too_short">> {
  if (password.length < MIN_PASSWORD_LENGTH) return fail("password_too_short");
  const existing = await accounts.findCredentialsByEmail(tx.db, email);
  if (!existing) return fail("unknown_email");
  await accounts.setPasswordHash(tx.db, existing.user.id, await hashPassword(password));
  return ok(existing.user);
}
