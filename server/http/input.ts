// Input no feature can store: a NUL character (PostgreSQL text refuses it). Refused once, at the
// edge, for the URL and every parsed body, instead of failing in SQL as a 500.
import type express from "express";
import { HttpError } from "./errors.ts";

const NUL_IN_URL = /%00|\0/i;

export function containsNul(value: unknown, depth = 0): boolean {
  if (typeof value === "string") return value.includes("\0");
  if (value === null || typeof value !== "object" || depth > 32) return false;
  if (Buffer.isBuffer(value)) return false;
  for (const [key, item] of Object.entries(value))
    if (key.includes("\0") || containsNul(item, depth + 1)) return true;
  return false;
}

export const nulError = () =>
  new HttpError(400, "errors.nul", { detail: "NUL characters are not accepted" });

/** The URL (path and query), before any route reads it. */
export const refuseNulInUrl: express.RequestHandler = (req, _res, next) =>
  next(NUL_IN_URL.test(req.originalUrl) ? nulError() : undefined);

/** A parsed body (form fields, JSON), after its parser. */
export const refuseNulInBody: express.RequestHandler = (req, _res, next) =>
  next(containsNul(req.body) ? nulError() : undefined);
