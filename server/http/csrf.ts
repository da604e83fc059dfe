import { csrfSync } from "csrf-sync";

// Synchroniser tokens kept in the session. Multipart forms are skipped here and checked by their
// route once multer has parsed the body (see checkCsrf).
export const csrf = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?._csrf === "string" ? body._csrf : req.get("x-csrf-token");
  },
  skipCsrfProtection: (req) => req.is("multipart/form-data") === "multipart/form-data",
  errorConfig: { statusCode: 403, message: "invalid csrf token", code: "EBADCSRFTOKEN" },
});

/** For multipart routes, after the body parser. */
export const checkCsrf = csrfSync({
  getTokenFromRequest: (req) => {
    const body = req.body as Record<string, unknown> | undefined;
    return typeof body?._csrf === "string" ? body._csrf : undefined;
  },
  errorConfig: { statusCode: 403, message: "invalid csrf token", code: "EBADCSRFTOKEN" },
}).csrfSynchronisedProtection;
