import type express from "express";
import type { AppContext } from "../context.ts";
import { userForApiToken } from "../accounts/accounts.service.ts";
import { HttpError } from "../http/errors.ts";

/** Reads `Authorization: Bearer …`; a token that does not match is an error, not anonymity. */
export function bearerAuth(ctx: AppContext): express.RequestHandler {
  return async (req, _res, next) => {
    const header = req.get("authorization");
    if (!header) return next();
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const user = match ? await userForApiToken(ctx.db, match[1]!) : undefined;
    if (!user) {
      return next(
        new HttpError(401, "errors.badToken", {
          headers: { "WWW-Authenticate": 'Bearer realm="maillage", error="invalid_token"' },
        }),
      );
    }
    req.apiUser = user;
    req.lang = user.language;
    next();
  };
}
