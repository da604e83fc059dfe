// Session persistence: in the database in embedded mode, in Redis when REDIS_URL is set.
import session from "express-session";
import type { Redis } from "ioredis";
import type { Db } from "../db/database.ts";
import { HttpError } from "./errors.ts";

/** A session store that cannot answer means the service is down for pages, not a bug. */
function unavailable(error: unknown): HttpError {
  return new HttpError(503, "errors.unavailable", {
    detail: `session store: ${error instanceof Error ? error.message : String(error)}`,
    headers: { "Retry-After": "30" },
  });
}

type Callback<T = void> = (error?: unknown, value?: T) => void;

function expiry(sess: session.SessionData): Date {
  const expires = sess.cookie?.expires;
  return expires ? new Date(expires) : new Date(Date.now() + 24 * 3600_000);
}

function userOf(sess: session.SessionData): string | null {
  const user = (sess as { passport?: { user?: unknown } }).passport?.user;
  return typeof user === "string" ? user : null;
}

/**
 * Sessions of one member end at once, e.g. after a password reset or account deletion; `keep`
 * spares the session that made the change (a password change on the profile page).
 */
export interface RevocableStore {
  revokeUser(userId: string, keep?: string): Promise<void>;
}

export type SessionStore = session.Store & RevocableStore;

export class DatabaseSessionStore extends session.Store implements RevocableStore {
  readonly #db: Db;
  #lastPrune = 0;

  constructor(db: Db) {
    super();
    this.#db = db;
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.#db
      .selectFrom("sessions")
      .select(["sess", "expires_at"])
      .where("sid", "=", sid)
      .executeTakeFirst()
      .then((row) => {
        if (!row || row.expires_at.getTime() < Date.now()) return callback(undefined, null);
        callback(undefined, row.sess as unknown as session.SessionData);
      }, callback);
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    const values = {
      sid,
      sess: JSON.stringify(sess),
      user_id: userOf(sess),
      expires_at: expiry(sess),
    };
    this.#db
      .insertInto("sessions")
      .values(values)
      .onConflict((oc) =>
        oc.column("sid").doUpdateSet({
          sess: values.sess,
          user_id: values.user_id,
          expires_at: values.expires_at,
        }),
      )
      .execute()
      .then(() => this.#prune())
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.#db
      .deleteFrom("sessions")
      .where("sid", "=", sid)
      .execute()
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      );
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    this.#db
      .updateTable("sessions")
      .set({ expires_at: expiry(sess) })
      .where("sid", "=", sid)
      .execute()
      .then(
        () => callback?.(),
        (error: unknown) => callback?.(error),
      );
  }

  async revokeUser(userId: string, keep?: string): Promise<void> {
    let query = this.#db.deleteFrom("sessions").where("user_id", "=", userId);
    if (keep !== undefined) query = query.where("sid", "<>", keep);
    await query.execute();
  }

  async #prune(): Promise<void> {
    if (Date.now() - this.#lastPrune < 3600_000) return;
    this.#lastPrune = Date.now();
    await this.#db.deleteFrom("sessions").where("expires_at", "<", new Date()).execute();
  }
}

export class RedisSessionStore extends session.Store implements RevocableStore {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    super();
    this.#redis = redis;
    this.#prefix = `${prefix}:sess:`;
  }

  #ttl(sess: session.SessionData): number {
    return Math.max(1, Math.ceil((expiry(sess).getTime() - Date.now()) / 1000));
  }

  override get(sid: string, callback: Callback<session.SessionData | null>): void {
    this.#redis.get(this.#prefix + sid).then(
      (value) => callback(undefined, value ? (JSON.parse(value) as session.SessionData) : null),
      (error: unknown) => callback(unavailable(error)),
    );
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    const user = userOf(sess);
    const multi = this.#redis
      .multi()
      .set(this.#prefix + sid, JSON.stringify(sess), "EX", this.#ttl(sess));
    if (user)
      multi
        .sadd(`${this.#prefix}user:${user}`, sid)
        .expire(`${this.#prefix}user:${user}`, 31 * 24 * 3600);
    multi.exec().then(
      () => callback?.(),
      (error: unknown) => callback?.(unavailable(error)),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    this.#redis.del(this.#prefix + sid).then(
      () => callback?.(),
      (error: unknown) => callback?.(unavailable(error)),
    );
  }

  async revokeUser(userId: string, keep?: string): Promise<void> {
    const key = `${this.#prefix}user:${userId}`;
    const sids = (await this.#redis.smembers(key)).filter((sid) => sid !== keep);
    if (sids.length) await this.#redis.del(...sids.map((sid) => this.#prefix + sid));
    if (keep === undefined) await this.#redis.del(key);
    else if (sids.length) await this.#redis.srem(key, ...sids);
  }

  override touch(sid: string, sess: session.SessionData, callback?: Callback): void {
    this.#redis.expire(this.#prefix + sid, this.#ttl(sess)).then(
      () => callback?.(),
      (error: unknown) => callback?.(unavailable(error)),
    );
  }
}
