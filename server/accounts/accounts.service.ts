// Accounts: sign-up, e-mail confirmation, authentication, password reset, API tokens, first admin.
// Messages that reach people never tell whether an e-mail address is registered: the service
// answers alike, and mails the address owner instead.
import { handleConflict, RESERVED_USERNAMES } from "./handles.ts";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import type { RegistrationMode } from "../instance/instance.tables.ts";
import type { Language, Role } from "./accounts.tables.ts";
import * as repo from "./accounts.repo.ts";
import type { User } from "./accounts.repo.ts";
import * as tokens from "./api-tokens.repo.ts";
import * as invitations from "./invitations.repo.ts";
import { hashPassword, randomToken, sha256, verifyPassword } from "./secrets.ts";

export type { User };

export const USERNAME_PATTERN = "^[a-z0-9_]{3,30}$";

const CONFIRM_TTL_MS = 48 * 3600_000;
const RESET_TTL_MS = 3600_000;
const INVITATION_TTL_MS = 30 * 24 * 3600_000;

export interface SignUpInput {
  email: string;
  password: string;
  username: string;
  displayName: string;
  language: Language;
  invitation?: string | undefined;
}

export type SignUpError =
  "closed" | "invitation_required" | "invitation_invalid" | "username_taken" | "username_reserved";

export interface AccountsDeps {
  publicUrl: URL;
}

function link(deps: AccountsDeps, path: string): string {
  return new URL(path, deps.publicUrl).href;
}

async function issueConfirmation(tx: Tx, deps: AccountsDeps, user: User): Promise<void> {
  const token = randomToken();
  await repo.insertEmailToken(tx.db, {
    hash: sha256(token),
    userId: user.id,
    purpose: "confirm",
    expiresAt: new Date(Date.now() + CONFIRM_TTL_MS),
  });
  tx.enqueue("mail.send", {
    to: user.email,
    template: "confirm",
    lang: user.language,
    data: { name: user.displayName, link: link(deps, `/confirm/${token}`) },
  });
}

async function checkUsername(db: Db, username: string): Promise<SignUpError | undefined> {
  const conflict = await handleConflict(db, username);
  return conflict ? `username_${conflict}` : undefined;
}

/**
 * Self-service sign-up. When the e-mail is already registered the outcome looks the same to the
 * caller (`{ created: false }` is never shown); the owner receives a mail saying so.
 */
export async function signUp(
  tx: Tx,
  deps: AccountsDeps,
  mode: RegistrationMode,
  input: SignUpInput,
): Promise<Result<{ user: User | undefined }, SignUpError>> {
  if (mode === "closed") return fail("closed");
  let invitation: invitations.Invitation | undefined;
  if (mode === "invitation") {
    if (!input.invitation) return fail("invitation_required");
    invitation = await invitations.findUsableInvitation(tx.db, sha256(input.invitation));
    if (!invitation) return fail("invitation_invalid");
  }
  const usernameError = await checkUsername(tx.db, input.username);
  if (usernameError) return fail(usernameError);

  const existing = await repo.findCredentialsByEmail(tx.db, input.email);
  if (existing) {
    tx.enqueue("mail.send", {
      to: existing.user.email,
      template: "alreadyRegistered",
      lang: existing.user.language,
      data: {
        name: existing.user.displayName,
        login: link(deps, "/login"),
        reset: link(deps, "/password/forgot"),
      },
    });
    return ok({ user: undefined });
  }
  const user = await repo.insertUser(tx.db, {
    email: input.email,
    passwordHash: await hashPassword(input.password),
    username: input.username,
    displayName: input.displayName,
    role: "member",
    language: input.language,
    confirmed: false,
  });
  if (invitation && !(await invitations.useInvitation(tx.db, invitation.id, user.id))) {
    throw new Error("invitation used concurrently");
  }
  await issueConfirmation(tx, deps, user);
  return ok({ user });
}

/** An admin (or the boot-time ADMIN_EMAIL) creates an account directly, already confirmed. */
export async function createAccount(
  tx: Tx,
  input: Omit<SignUpInput, "invitation"> & { role: Role },
): Promise<Result<User, "email_taken" | "username_taken" | "username_reserved">> {
  const usernameError = await checkUsername(tx.db, input.username);
  if (usernameError === "username_taken" || usernameError === "username_reserved")
    return fail(usernameError);
  if (await repo.emailExists(tx.db, input.email)) return fail("email_taken");
  const user = await repo.insertUser(tx.db, {
    email: input.email,
    passwordHash: await hashPassword(input.password),
    username: input.username,
    displayName: input.displayName,
    role: input.role,
    language: input.language,
    confirmed: true,
  });
  return ok(user);
}

export async function confirmEmail(
  db: Db,
  token: string,
): Promise<Result<User, "invalid" | "expired">> {
  const used = await repo.consumeEmailToken(db, sha256(token), "confirm");
  if (!used) return fail("invalid");
  if (used.expired) return fail("expired");
  await repo.markEmailConfirmed(db, used.userId);
  const user = await repo.findUserById(db, used.userId);
  return user ? ok(user) : fail("invalid");
}

/** Sends a new confirmation link if the address belongs to an unconfirmed account. */
export async function resendConfirmation(tx: Tx, deps: AccountsDeps, email: string): Promise<void> {
  const found = await repo.findCredentialsByEmail(tx.db, email);
  if (found && !found.user.emailConfirmed) await issueConfirmation(tx, deps, found.user);
}

export async function authenticate(
  db: Db,
  email: string,
  password: string,
): Promise<Result<User, "invalid_credentials" | "unconfirmed">> {
  const found = await repo.findCredentialsByEmail(db, email);
  const valid = await verifyPassword(found?.passwordHash, password);
  if (!found || !valid) return fail("invalid_credentials");
  if (!found.user.emailConfirmed) return fail("unconfirmed");
  return ok(found.user);
}

export async function requestPasswordReset(
  tx: Tx,
  deps: AccountsDeps,
  email: string,
): Promise<void> {
  const found = await repo.findCredentialsByEmail(tx.db, email);
  if (!found) return;
  const token = randomToken();
  await repo.insertEmailToken(tx.db, {
    hash: sha256(token),
    userId: found.user.id,
    purpose: "reset",
    expiresAt: new Date(Date.now() + RESET_TTL_MS),
  });
  tx.enqueue("mail.send", {
    to: found.user.email,
    template: "reset",
    lang: found.user.language,
    data: { name: found.user.displayName, link: link(deps, `/password/reset/${token}`) },
  });
}

export function isResetTokenUsable(db: Db, token: string): Promise<boolean> {
  return repo.peekEmailToken(db, sha256(token), "reset");
}

export async function resetPassword(
  db: Db,
  token: string,
  password: string,
): Promise<Result<User, "invalid" | "expired">> {
  const used = await repo.consumeEmailToken(db, sha256(token), "reset");
  if (!used) return fail("invalid");
  if (used.expired) return fail("expired");
  await repo.setPasswordHash(db, used.userId, await hashPassword(password));
  // Whoever held the old password, or another link, loses that access: one used link voids the
  // others, API tokens end here and the caller ends the member's sessions.
  await repo.voidEmailTokens(db, used.userId, "reset");
  await tokens.revokeAllApiTokens(db, used.userId);
  // A reset proves the address too.
  await repo.markEmailConfirmed(db, used.userId);
  const user = await repo.findUserById(db, used.userId);
  return user ? ok(user) : fail("invalid");
}

export async function changePassword(
  db: Db,
  userId: string,
  current: string,
  next: string,
): Promise<Result<void, "wrong_password">> {
  if (!(await verifyPassword(await repo.findPasswordHash(db, userId), current)))
    return fail("wrong_password");
  await repo.setPasswordHash(db, userId, await hashPassword(next));
  // As after a reset: pending reset links and API tokens stop working; the caller ends the
  // member's other sessions.
  await repo.voidEmailTokens(db, userId, "reset");
  await tokens.revokeAllApiTokens(db, userId);
  return ok(undefined);
}

export async function issueApiToken(
  db: Db,
  userId: string,
  name: string,
): Promise<{ id: string; token: string }> {
  const token = `mlg_${randomToken()}`;
  const id = await tokens.insertApiToken(db, userId, name, sha256(token));
  return { id, token };
}

export async function userForApiToken(db: Db, token: string): Promise<User | undefined> {
  const owner = await tokens.findApiTokenOwner(db, sha256(token));
  if (!owner) return undefined;
  // Writing on every request would be wasteful; a minute's precision is enough for people.
  if (!owner.lastUsedAt || Date.now() - owner.lastUsedAt.getTime() > 60_000) {
    await tokens.touchApiToken(db, owner.tokenId);
  }
  return repo.findUserById(db, owner.userId);
}

export async function createInvitation(
  db: Db,
  deps: AccountsDeps,
  createdBy: string,
  email: string | null,
): Promise<{ id: string; link: string }> {
  const token = randomToken();
  const id = await invitations.insertInvitation(db, {
    hash: sha256(token),
    email,
    createdBy,
    expiresAt: new Date(Date.now() + INVITATION_TTL_MS),
  });
  return { id, link: link(deps, `/signup?invitation=${token}`) };
}

export async function adminExists(db: Db): Promise<boolean> {
  return (await repo.countAdmins(db)) > 0;
}

/** Boot-time: creates the first admin from ADMIN_EMAIL/ADMIN_PASSWORD when there is none. */
export async function ensureFirstAdmin(
  tx: Tx,
  admin: { email: string; password: string },
): Promise<User | undefined> {
  if (await adminExists(tx.db)) return undefined;
  const existing = await repo.findCredentialsByEmail(tx.db, admin.email);
  if (existing) {
    await repo.setRole(tx.db, existing.user.id, "admin");
    await repo.markEmailConfirmed(tx.db, existing.user.id);
    return existing.user;
  }
  let username = admin.email
    .split("@")[0]!
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 24);
  if (username.length < 3 || RESERVED_USERNAMES.has(username))
    username = `admin_${username}`.slice(0, 30);
  while (await repo.usernameExists(tx.db, username))
    username = `${username.slice(0, 25)}_${randomToken(2)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, "x")}`;
  const created = await createAccount(tx, {
    email: admin.email,
    password: admin.password,
    username,
    displayName: "Administration",
    language: "fr",
    role: "admin",
  });
  if (!created.ok) throw new Error(`could not create the first admin: ${created.error}`);
  return created.value;
}
