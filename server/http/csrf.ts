// Every unsafe page request proves it comes from one of our forms: a synchroniser token kept in
// the session, plus the browser's own word (Sec-Fetch-Site, Origin) when it gives it.
// Multipart bodies are parsed before the token is read: by the route when it takes an upload
// (registered with `uploadRoute`), by a fields-only parser otherwise.
import type express from "express";
import { csrfSync } from "csrf-sync";
import multer from "multer";
import { HttpError } from "./errors.ts";
import { containsNul, nulError } from "./input.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

const tokenFromBody = (req: express.Request): string | undefined => {
  const body = req.body as Record<string, unknown> | undefined;
  return typeof body?._csrf === "string" ? body._csrf : undefined;
};

export const csrf = csrfSync({
  getTokenFromRequest: (req) => tokenFromBody(req) ?? req.get("x-csrf-token"),
  errorConfig: { statusCode: 403, message: "invalid csrf token", code: "EBADCSRFTOKEN" },
});

const refused = () => new HttpError(403, "errors.csrf");

/** Express paths (only `:param` segments) of the POST routes that parse an upload themselves. */
const uploadPaths: RegExp[] = [];

function pathPattern(path: string): RegExp {
  const source = path
    .split("/")
    .map((segment) =>
      segment.startsWith(":") ? "[^/]+" : segment.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
    )
    .join("/");
  return new RegExp(`^${source}/?$`);
}

/** Multer's and busboy's errors carry no status: a broken or oversized upload is the sender's. */
export function uploadError(error: unknown): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof multer.MulterError) {
    const tooLarge = ["LIMIT_FILE_SIZE", "LIMIT_FIELD_VALUE", "LIMIT_PART_COUNT"];
    return tooLarge.includes(error.code)
      ? new HttpError(413, "errors.tooLarge", { detail: error.message })
      : new HttpError(400, "errors.badUpload", { detail: error.message });
  }
  if (error instanceof Error)
    return new HttpError(400, "errors.badUpload", { detail: error.message });
  return error;
}

/**
 * A route that takes a file: declare it here so the global check leaves its body to `parse`,
 * then the token is checked once the body is read. Returns the handlers to put on the route.
 */
export function uploadRoute(path: string, parse: express.RequestHandler): express.RequestHandler[] {
  uploadPaths.push(pathPattern(path));
  const parseThenMap: express.RequestHandler = (req, res, next) =>
    parse(req, res, (error?: unknown) =>
      next(error ? uploadError(error) : containsNul(req.body) ? nulError() : undefined),
    );
  const check: express.RequestHandler = (req, res, next) => {
    // csrf-sync reads the token from the body, which only exists now.
    csrf.csrfSynchronisedProtection(req, res, next);
  };
  return [parseThenMap, check];
}

const fieldsOnly = multer({
  storage: multer.memoryStorage(),
  limits: { files: 0, fields: 100, fieldSize: 200 * 1024, parts: 100 },
}).none();

/** The global check on the page router (after the session, before the routes). */
export function csrfProtection(publicOrigin: string): express.RequestHandler {
  return (req, res, next) => {
    if (SAFE_METHODS.has(req.method)) return csrf.csrfSynchronisedProtection(req, res, next);
    // Browsers say where a request comes from; only our own pages may post here. "same-site"
    // is refused too: another instance may live on a sibling subdomain.
    const site = req.get("sec-fetch-site");
    if (site !== undefined && site !== "same-origin" && site !== "none") return next(refused());
    const origin = req.get("origin");
    if (origin !== undefined && origin !== "null" && origin !== publicOrigin)
      return next(refused());
    if (req.is("multipart/form-data") === "multipart/form-data") {
      if (req.method === "POST" && uploadPaths.some((p) => p.test(req.path))) return next();
      return fieldsOnly(req, res, (error?: unknown) => {
        if (error) return next(uploadError(error));
        if (containsNul(req.body)) return next(nulError());
        csrf.csrfSynchronisedProtection(req, res, next);
      });
    }
    csrf.csrfSynchronisedProtection(req, res, next);
  };
}
