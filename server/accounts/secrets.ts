import crypto from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

/** A random secret for links and API tokens; only its hash is stored. */
export function randomToken(bytes = 32): string {
  return crypto.randomBytes(bytes).toString("base64url");
}

export function sha256(value: string): string {
  return crypto.createHash("sha256").update(value).digest("hex");
}

export function hashPassword(password: string): Promise<string> {
  // @node-rs/argon2 defaults to argon2id with OWASP's recommended memory and time costs.
  return hash(password);
}

// Verifying against this when no account matches keeps the timing of "unknown e-mail" and
// "wrong password" alike.
const DECOY = hash("decoy password that matches nothing");

export async function verifyPassword(
  passwordHash: string | undefined,
  password: string,
): Promise<boolean> {
  try {
    return await verify(passwordHash ?? (await DECOY), password);
  } catch {
    return false;
  }
}
