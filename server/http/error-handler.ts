import type express from "express";
import type { i18n } from "i18next";
import type { Logger } from "pino";
import { QueueUnavailableError } from "../jobs/queue.ts";
import { isDatabaseUnavailable } from "../db/database.ts";
import { HttpError } from "./errors.ts";
import { DEFAULT_LANGUAGE, translate } from "../i18n/i18n.ts";

/** API clients and federation peers get problem+json; people get a page. */
export function wantsProblem(req: express.Request): boolean {
  if (req.path.startsWith("/api/")) return true;
  const accept = req.get("accept") ?? "";
  return (
    /application\/(problem\+json|activity\+json|ld\+json|json)/.test(accept) &&
    !accept.includes("text/html")
  );
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof QueueUnavailableError || isDatabaseUnavailable(error))
    return new HttpError(503, "errors.unavailable", { headers: { "Retry-After": "30" } });
  const status =
    (error as { status?: unknown; statusCode?: unknown })?.status ??
    (error as { statusCode?: unknown })?.statusCode;
  if (typeof status === "number" && status >= 400 && status < 500) {
    const code = (error as { code?: unknown }).code;
    if (code === "EBADCSRFTOKEN" || (error as Error).message === "invalid csrf token")
      return new HttpError(403, "errors.csrf");
    if (status === 413) return new HttpError(413, "errors.tooLarge");
    if (status === 400 && (error as { type?: string }).type === "entity.parse.failed")
      return new HttpError(400, "errors.badJson");
    return new HttpError(
      status,
      status === 404
        ? "errors.notFound"
        : status === 403
          ? "errors.forbidden"
          : "errors.badRequest",
    );
  }
  return new HttpError(500, "errors.internal");
}

export function notFoundHandler(): express.RequestHandler {
  return (_req, _res, next) => next(new HttpError(404, "errors.notFound"));
}

export function errorHandler(i18n: i18n, log: Logger): express.ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const httpError = toHttpError(error);
    if (httpError.status >= 500) {
      (req.log ?? log).error({ err: error }, "request failed");
    }
    if (res.headersSent) return;
    const t = (key: string, values?: Record<string, unknown>) =>
      translate(i18n, req.lang ?? DEFAULT_LANGUAGE, key, values);
    res.status(httpError.status);
    for (const [name, value] of Object.entries(httpError.headers)) res.setHeader(name, value);
    if (wantsProblem(req)) {
      res.type("application/problem+json").send(
        JSON.stringify({
          type: "about:blank",
          title: t(httpError.key),
          status: httpError.status,
          ...(httpError.status < 500 && httpError.message !== httpError.key
            ? { detail: httpError.message }
            : {}),
          ...(httpError.fields.length
            ? {
                errors: httpError.fields.map((f) => ({
                  field: f.field,
                  pointer: `/${f.field.replace(/\./g, "/")}`,
                  detail: f.detail ?? t(f.key, f.values),
                })),
              }
            : {}),
          ...(req.id ? { requestId: String(req.id) } : {}),
        }),
      );
      return;
    }
    res.render("errors/error", {
      title: t(httpError.key),
      status: httpError.status,
      message: t(httpError.key),
      detailKey: `errors.explain.${httpError.status}`,
      requestId: req.id,
    });
  };
}
