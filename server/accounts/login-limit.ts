// Brakes on password guessing (the login page and the API's token endpoint share them).
// Wrong passwords count per account first: ten on one account stop it for a quarter of an hour,
// while a whole office behind one address logs in freely. The address brake counts failures
// only, and a looser one counts every attempt, since each costs an Argon2 verification.
import type express from "express";
import type { AppContext } from "../context.ts";
import { limiter } from "../http/rate-limit.ts";

const QUARTER = 15 * 60_000;

export const ACCOUNT_FAILURES = 10;
export const ADDRESS_FAILURES = 60;
export const ADDRESS_ATTEMPTS = 300;

export function loginLimiter(ctx: AppContext, name: string): express.RequestHandler[] {
  return [
    ...limiter(ctx, {
      name,
      accountField: "email",
      accountLimit: ACCOUNT_FAILURES,
      limit: ADDRESS_FAILURES,
      windowMs: QUARTER,
      failuresOnly: true,
    }),
    ...limiter(ctx, { name: `${name}-all`, limit: ADDRESS_ATTEMPTS, windowMs: 5 * 60_000 }),
  ];
}
