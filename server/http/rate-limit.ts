// Brute-force brakes on login, sign-up and password reset: per client address and per account.
// Counters live in Redis when there is one (shared by every web process), else in memory.
import type express from "express";
import { ipKeyGenerator, rateLimit, type Store } from "express-rate-limit";
import { RedisStore } from "rate-limit-redis";
import type { AppContext } from "../context.ts";
import { HttpError } from "./errors.ts";

export interface LimitOptions {
  name: string;
  limit: number;
  windowMs: number;
  /** Also count per account, using this body field (e.g. email). */
  accountField?: string;
}

function store(ctx: AppContext, name: string): Store | undefined {
  const redis = ctx.redis;
  if (!redis) return undefined;
  return new RedisStore({
    prefix: `${ctx.config.redisPrefix}:rl:${name}:`,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never,
  });
}

function tooMany(): express.RequestHandler {
  return (_req, _res, next) =>
    next(new HttpError(429, "errors.tooManyRequests", { headers: { "Retry-After": "60" } }));
}

export function limiter(ctx: AppContext, options: LimitOptions): express.RequestHandler[] {
  const common = {
    windowMs: options.windowMs,
    limit: options.limit,
    standardHeaders: "draft-8" as const,
    legacyHeaders: false,
    passOnStoreError: true,
    handler: tooMany(),
  };
  const handlers = [
    rateLimit({
      ...common,
      store: store(ctx, `${options.name}:ip`),
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? "unknown"),
    }),
  ];
  const field = options.accountField;
  if (field) {
    handlers.push(
      rateLimit({
        ...common,
        store: store(ctx, `${options.name}:acct`),
        skip: (req) =>
          typeof (req.body as Record<string, unknown> | undefined)?.[field] !== "string",
        keyGenerator: (req) =>
          String((req.body as Record<string, string>)[field])
            .trim()
            .toLowerCase(),
      }),
    );
  }
  return handlers;
}
