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

/**
 * rate-limit-redis loads its Lua scripts once at start; if Redis was down then, every later call
 * fails even after Redis is back. This store loads them again after a failure.
 */
class ResilientRedisStore extends RedisStore {
  #load(): void {
    this.incrementScriptSha = this.loadIncrementScript();
    this.getScriptSha = this.loadGetScript();
    // Failures surface on use (and are passed over by passOnStoreError), not as unhandled rejections.
    this.incrementScriptSha.catch(() => {});
    this.getScriptSha.catch(() => {});
  }

  override async init(options: { windowMs: number }): Promise<void> {
    this.windowMs = options.windowMs;
    this.#load();
  }

  override async increment(key: string) {
    try {
      return await super.increment(key);
    } catch (error) {
      this.#load();
      throw error;
    }
  }
}

function store(ctx: AppContext, name: string): Store | undefined {
  const redis = ctx.redis;
  if (!redis) return undefined;
  return new ResilientRedisStore({
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
