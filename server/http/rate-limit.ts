// Brute-force brakes on login, sign-up and password reset: per account and per client address.
// Counters live in Redis when there is one (shared by every web process); when Redis fails they
// fall back to this process's memory, so a Redis outage never turns the brakes off.
import type express from "express";
import {
  ipKeyGenerator,
  MemoryStore,
  rateLimit,
  type ClientRateLimitInfo,
  type Options,
  type Store,
} from "express-rate-limit";
import { RedisStore } from "rate-limit-redis";
import type { AppContext } from "../context.ts";
import { HttpError } from "./errors.ts";

export interface LimitOptions {
  name: string;
  limit: number;
  windowMs: number;
  /** Also count per account, using this body field (e.g. email), checked first. */
  accountField?: string;
  /** Count only the attempts that fail (status ≥ 400), e.g. wrong passwords. */
  failuresOnly?: boolean;
  /** Per-account limit when it differs from the per-address one. */
  accountLimit?: number;
  /** Requests that are not braked at all (e.g. an admin's). */
  skip?: (req: express.Request) => boolean;
}

/**
 * rate-limit-redis loads its Lua scripts once at start; if Redis was down then, every later call
 * fails even after Redis is back. This store loads them again after a failure.
 */
class ResilientRedisStore extends RedisStore {
  #load(): void {
    this.incrementScriptSha = this.loadIncrementScript();
    this.getScriptSha = this.loadGetScript();
    // Failures surface on use (and fall back to memory), not as unhandled rejections.
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

/** Redis first; this process's memory while Redis does not answer. */
export class FallbackStore implements Store {
  readonly prefix: string;
  readonly localKeys = false;
  readonly #shared: Store | undefined;
  readonly #memory = new MemoryStore();
  readonly #onFailure: (error: unknown) => void;

  constructor(shared: Store | undefined, prefix: string, onFailure: (error: unknown) => void) {
    this.#shared = shared;
    this.prefix = prefix;
    this.#onFailure = onFailure;
  }

  init(options: Options): void {
    this.#memory.init(options);
    void Promise.resolve(this.#shared?.init?.(options)).catch(this.#onFailure);
  }

  async #either<T>(shared: (s: Store) => Promise<T> | T, local: () => Promise<T>): Promise<T> {
    if (this.#shared) {
      try {
        return await shared(this.#shared);
      } catch (error) {
        this.#onFailure(error);
      }
    }
    return local();
  }

  increment(key: string): Promise<ClientRateLimitInfo> {
    return this.#either(
      (s) => s.increment(key),
      () => this.#memory.increment(key),
    );
  }

  decrement(key: string): Promise<void> {
    return this.#either(
      (s) => s.decrement(key),
      () => this.#memory.decrement(key),
    );
  }

  resetKey(key: string): Promise<void> {
    return this.#either(
      (s) => s.resetKey(key),
      () => this.#memory.resetKey(key),
    );
  }

  shutdown(): void {
    this.#memory.shutdown();
  }
}

function store(ctx: AppContext, name: string): Store {
  const redis = ctx.redis;
  const prefix = `${ctx.config.redisPrefix}:rl:${name}:`;
  const shared = redis
    ? new ResilientRedisStore({
        prefix,
        sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as never,
      })
    : undefined;
  let warned = 0;
  return new FallbackStore(shared, prefix, (error) => {
    // Once a minute at most: an outage would otherwise log on every request.
    if (Date.now() - warned < 60_000) return;
    warned = Date.now();
    ctx.log.warn({ err: error, limiter: name }, "rate limits counted in memory: Redis failed");
  });
}

function tooMany(): express.RequestHandler {
  return (_req, _res, next) =>
    next(new HttpError(429, "errors.tooManyRequests", { headers: { "Retry-After": "60" } }));
}

function accountOf(req: express.Request, field: string): string | undefined {
  const value = (req.body as Record<string, unknown> | undefined)?.[field];
  return typeof value === "string" ? value.trim().toLowerCase() : undefined;
}

export function limiter(ctx: AppContext, options: LimitOptions): express.RequestHandler[] {
  const common = {
    windowMs: options.windowMs,
    standardHeaders: "draft-8" as const,
    legacyHeaders: false,
    passOnStoreError: false,
    skipSuccessfulRequests: options.failuresOnly === true,
    handler: tooMany(),
  };
  const skip = options.skip ?? (() => false);
  const handlers = [];
  const field = options.accountField;
  // The account first: many people share one office address, an attacker aims at one account.
  if (field) {
    handlers.push(
      rateLimit({
        ...common,
        limit: options.accountLimit ?? options.limit,
        store: store(ctx, `${options.name}:acct`),
        skip: (req) => skip(req) || accountOf(req, field) === undefined,
        keyGenerator: (req) => accountOf(req, field)!,
      }),
    );
  }
  handlers.push(
    rateLimit({
      ...common,
      limit: options.limit,
      store: store(ctx, `${options.name}:ip`),
      skip,
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? "unknown"),
    }),
  );
  return handlers;
}
