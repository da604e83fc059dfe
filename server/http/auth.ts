import type express from "express";
import passport from "passport";
import { Strategy as LocalStrategy } from "passport-local";
import type { AppContext } from "../context.ts";
import { authenticate } from "../accounts/accounts.service.ts";
import { findUserById } from "../accounts/accounts.repo.ts";
import type { Role } from "../accounts/accounts.tables.ts";
import { HttpError } from "./errors.ts";

export function setupPassport(ctx: AppContext): passport.PassportStatic {
  const instance = new passport.Passport();
  instance.use(
    new LocalStrategy(
      { usernameField: "email", passwordField: "password" },
      (email, password, done) => {
        authenticate(ctx.db, email, password).then(
          (result) =>
            result.ok ? done(null, result.value) : done(null, false, { message: result.error }),
          done,
        );
      },
    ),
  );
  instance.serializeUser((user, done) => done(null, user.id));
  instance.deserializeUser((id: string, done) => {
    findUserById(ctx.db, id).then((user) => done(null, user ?? false), done);
  });
  return instance as unknown as passport.PassportStatic;
}

/** Pages for signed-in members: others are sent to the login page and brought back after. */
export function requireUser(
  req: express.Request,
  res: express.Response,
  next: express.NextFunction,
): void {
  if (req.user) return next();
  if (req.method === "GET") {
    req.session.returnTo = req.originalUrl;
    res.redirect(303, "/login");
    return;
  }
  next(new HttpError(401, "errors.unauthorized"));
}

export function requireRole(...roles: Role[]): express.RequestHandler {
  return (req, res, next) => {
    if (!req.user) return requireUser(req, res, next);
    if (!roles.includes(req.user.role)) return next(new HttpError(403, "errors.forbidden"));
    next();
  };
}

/** Staff rights include those of higher roles: admins can do what staff do. */
export const STAFF_ROLES: Role[] = ["staff", "admin"];
export const MODERATOR_ROLES: Role[] = ["moderator", "admin"];
