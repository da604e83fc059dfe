// Caching of public pages (ADR 0150). Pages a module lists in `cachedPages` are, for a visitor
// without a session cookie, kept rendered for a few seconds in this process and sent with
// `Cache-Control: public, max-age=…, stale-while-revalidate=…`; every other page of a signed-in
// member says `private, no-store`, so that no shared cache keeps a member's page. Conditional
// requests (If-None-Match) get 304 either way. The whole cache is emptied when published
// content changes (server/lib/changes.ts) and after every successful write request, and a page
// whose rendering began before a change is not kept.
import crypto from "node:crypto";
import zlib from "node:zlib";
import type express from "express";
import { clearOnContentChange, contentChanged } from "../lib/changes.ts";
export interface PageCacheOptions {
  /** Seconds a page stays in this process and in browsers and proxies (0: no caching). */
  maxAge: number;
  /** Seconds a proxy may serve a stale page while it fetches the new one. */
  staleWhileRevalidate: number;
  /** Pages kept at most (least recently stored go first). */
  maxEntries?: number;
  /** Whether the application compresses (COMPRESS): kept pages are then kept compressed too. */
  compress?: boolean;
}

interface Entry {
  storedAt: number;
  body: Buffer;
  etag: string;
  type: string;
  /** The body compressed, made at the first visitor who accepts it. */
  encoded?: Partial<Record<"br" | "gzip", Buffer>>;
  /** Past its age, one request renders it again while the others still get this copy. */
  refreshing?: boolean;
}

const SESSION_COOKIE = "maillage.sid";
const WRITE_METHODS = new Set(["POST", "PUT", "PATCH", "DELETE"]);

const hasSession = (req: express.Request) =>
  (req.headers.cookie ?? "").split(";").some((c) => c.trim().startsWith(`${SESSION_COOKIE}=`));

/** A strong ETag of a body, the same whichever process rendered it. */
export const etagOf = (body: Buffer | string) =>
  `"${crypto.createHash("sha1").update(body).digest("base64url").slice(0, 27)}"`;

function matches(req: express.Request, etag: string): boolean {
  const given = req.headers["if-none-match"];
  if (!given) return false;
  return given
    .split(",")
    .map((t) => t.trim().replace(/^W\//, ""))
    .some((t) => t === "*" || t === etag);
}

export class PageCache {
  readonly #entries = new Map<string, Entry>();
  readonly #options: Required<PageCacheOptions>;
  #generation = 0;

  constructor(options: PageCacheOptions) {
    this.#options = { maxEntries: 500, compress: false, ...options };
    clearOnContentChange(this);
  }

  get size() {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
    this.#generation++;
  }

  #publicControl() {
    const { maxAge, staleWhileRevalidate } = this.#options;
    return `public, max-age=${maxAge}, stale-while-revalidate=${staleWhileRevalidate}`;
  }

  /** Before the session is read: a successful write empties the cache once it has answered. */
  watchWrites(): express.RequestHandler {
    return (req, res, next) => {
      if (WRITE_METHODS.has(req.method))
        res.once("finish", () => {
          if (res.statusCode < 400) contentChanged();
        });
      next();
    };
  }

  /**
   * Mounted on the cacheable pages' paths, before the session is read: answers a visitor
   * without a session from the cache when it can, and marks the page cacheable.
   */
  serve(): express.RequestHandler {
    return this.#serve((req) => !hasSession(req), "Cookie, Accept-Language");
  }

  /**
   * The same for the API's public listings: a request without a bearer token (the API reads no
   * cookie) is answered from the cache when it can, and its answer goes out public; a request
   * with a token is neither answered from nor kept in the cache.
   */
  serveApi(): express.RequestHandler {
    const vary = "Authorization, Accept-Language";
    const serve = this.#serve((req) => !req.headers.authorization, vary);
    return (req, res, next) => {
      if (this.#options.maxAge > 0 && !req.headers.authorization)
        beforeHeaders(res, () => {
          if (res.statusCode !== 200 || res.getHeader("cache-control")) return;
          res.setHeader("Cache-Control", this.#publicControl());
          res.setHeader("Vary", vary);
        });
      serve(req, res, next);
    };
  }

  /**
   * The same pages, first in the chain: a page already kept is sent to a visitor without a
   * session before federation, the plugins' check and the routers are walked. A read asking for
   * JSON (an ActivityPub copy of the page's URL) goes on to federation; a page not kept goes on
   * to `serve()`, which renders and keeps it.
   */
  serveKept(): express.RequestHandler {
    return (req, res, next) => {
      if (this.#options.maxAge <= 0 || hasSession(req) || /json/i.test(req.headers.accept ?? ""))
        return next();
      const entry = this.#take(res, `${req.lang}|${req.originalUrl}`);
      if (!entry) return next();
      this.#send(req, res, entry, "Cookie, Accept-Language");
    };
  }

  /**
   * The copy to send, or none when this request renders the page. A copy past its age is
   * rendered again by one request only; meanwhile, for at most the stale-while-revalidate
   * time, the others still get it (as a proxy would), so that an expiry under load does not
   * make every waiting visitor render the page at once. A change to published content empties
   * the cache: what is served stale is only ever out of date by age, never after a change.
   */
  #take(res: express.Response, key: string): Entry | undefined {
    if (res.locals.pageRenders === true) return undefined;
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    const age = Date.now() - entry.storedAt;
    const { maxAge, staleWhileRevalidate } = this.#options;
    if (age <= maxAge * 1000) return entry;
    if (age <= (maxAge + staleWhileRevalidate) * 1000) {
      if (entry.refreshing) return entry;
      entry.refreshing = true;
      res.locals.pageRenders = true;
      // Kept or not (an error, a private page), another request may try once this one is over.
      res.once("close", () => {
        entry.refreshing = false;
      });
      return undefined;
    }
    this.#entries.delete(key);
    return undefined;
  }

  #send(req: express.Request, res: express.Response, entry: Entry, vary: string) {
    res.set({
      "Content-Type": entry.type,
      ETag: entry.etag,
      "Cache-Control": this.#publicControl(),
      Vary: vary,
      Age: String(Math.floor((Date.now() - entry.storedAt) / 1000)),
    });
    if (matches(req, entry.etag)) return void res.status(304).end();
    res.status(200).send(this.#encoded(req, res, entry));
  }

  /** A kept page is compressed once, not at every visit (the compression middleware then
   * leaves it alone: it is already encoded). */
  #encoded(req: express.Request, res: express.Response, entry: Entry): Buffer {
    if (!this.#options.compress || entry.body.length < 1024) return entry.body;
    const encoding = req.acceptsEncodings("br", "gzip");
    if (encoding !== "br" && encoding !== "gzip") return entry.body;
    entry.encoded ??= {};
    const body = (entry.encoded[encoding] ??=
      encoding === "br"
        ? zlib.brotliCompressSync(entry.body, {
            params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 5 },
          })
        : zlib.gzipSync(entry.body));
    res.setHeader("Content-Encoding", encoding);
    res.vary("Accept-Encoding");
    return body;
  }

  #serve(anonymous: (req: express.Request) => boolean, vary: string): express.RequestHandler {
    return (req, res, next) => {
      if (this.#options.maxAge <= 0) return next();
      res.locals.pageCacheable = true;
      if (!anonymous(req)) return next();
      const key = `${req.lang}|${req.originalUrl}`;
      const entry = this.#take(res, key);
      if (!entry) {
        this.#capture(req, res, key);
        return next();
      }
      this.#send(req, res, entry, vary);
    };
  }

  /** Keeps the page once sent, if it went out public and nothing changed meanwhile. */
  #capture(req: express.Request, res: express.Response, key: string) {
    const generation = this.#generation;
    let body: Buffer | undefined;
    const send = res.send.bind(res);
    res.send = (chunk?: unknown) => {
      if (typeof chunk === "string") body = Buffer.from(chunk);
      else if (Buffer.isBuffer(chunk)) body = chunk;
      return send(chunk);
    };
    res.once("finish", () => {
      if (req.method !== "GET" || !body || generation !== this.#generation) return;
      if (!String(res.getHeader("cache-control") ?? "").startsWith("public")) return;
      const type = String(res.getHeader("content-type") ?? "text/html; charset=utf-8");
      this.#store(key, { storedAt: Date.now(), body, etag: etagOf(body), type });
    });
  }

  /**
   * Before the session middleware, for every page: sets Cache-Control as the headers go out
   * (after the session's own hook has added its cookie, if any). A signed-in member's page is
   * `private, no-store`; an anonymous visitor's cacheable page is public unless something of
   * their session went into it (`res.locals.pagePrivate`: a form's token, a notice).
   */
  headers(): express.RequestHandler {
    return (req, res, next) => {
      beforeHeaders(res, () => {
        if (req.user) {
          if (!res.getHeader("cache-control")) res.setHeader("Cache-Control", "private, no-store");
          res.setHeader("Vary", "Cookie");
          return;
        }
        if (
          res.locals.pageCacheable === true &&
          res.statusCode === 200 &&
          res.locals.pagePrivate !== true &&
          !res.getHeader("set-cookie") &&
          !res.getHeader("cache-control")
        ) {
          res.setHeader("Cache-Control", this.#publicControl());
          res.setHeader("Vary", "Cookie, Accept-Language");
        }
      });
      next();
    };
  }

  #store(key: string, entry: Entry) {
    if (this.#entries.size >= this.#options.maxEntries) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, entry);
  }
}

/** Runs `hook` once, just before the response's headers are written. Hooks added later run
 * first, so this one, added before the session middleware, sees the session's cookie. */
function beforeHeaders(res: express.Response, hook: () => void) {
  const writeHead = res.writeHead;
  let done = false;
  res.writeHead = function (this: express.Response, ...args: unknown[]) {
    if (!done) {
      done = true;
      hook();
    }
    return (writeHead as (...a: unknown[]) => express.Response).apply(this, args);
  } as typeof res.writeHead;
}
