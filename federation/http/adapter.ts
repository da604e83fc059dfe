// Express ↔ Fedify. Mounted before every body parser: Fedify reads inbox bodies itself. URLs are
// rebuilt from PUBLIC_URL (never from Host or X-Forwarded-* headers), so ids and signed
// `@target-uri`/`host` components match behind a TLS reverse proxy. Requests Fedify does not
// serve (unknown paths, HTML wanted) go on to the Express routes.
import type { DocumentLoader, Federation, KvStore } from "@fedify/fedify";
import express from "express";
import type { Logger } from "pino";
import { INSTANCE_ACTOR, PATHS, actorUri } from "../uris.ts";
import { checkInboxPost, type Admitted, type GateDeps, type Refusal } from "./gate.ts";
import { QUEUED, queueDirectly, type InboxMessage } from "./inbox-direct.ts";
import { GateKeyCache, singleFlight } from "./key-cache.ts";
import { rememberDocument } from "./recent-documents.ts";
import { describeFailure, isUnloadable } from "./outgoing.ts";

const MAX_BODY = 1024 * 1024;

class TooLarge extends Error {}

/** Beyond this, the connection is cut rather than read to its end. */
const MAX_DRAINED = 16 * MAX_BODY;

async function readBody(req: express.Request): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    // An oversized body is read to its end (without keeping it) so that the sender gets the
    // 413 instead of a reset connection; an enormous one is cut short.
    if (size > MAX_DRAINED) break;
    if (size <= MAX_BODY) chunks.push(chunk);
  }
  if (size > MAX_BODY) throw new TooLarge();
  return Buffer.concat(chunks);
}

/**
 * Database errors carry a severity (pg, PGlite); the queue and sockets name theirs. A data
 * exception (SQLSTATE class 22, e.g. a NUL character in an id used as a key) is the payload's.
 */
function ourFailure(error: unknown): boolean {
  const { severity, code, name } = (error ?? {}) as {
    severity?: unknown;
    code?: unknown;
    name?: unknown;
  };
  return (
    (typeof severity === "string" && !(typeof code === "string" && code.startsWith("22"))) ||
    name === "QueueUnavailableError" ||
    (typeof code === "string" && /^E[A-Z]+$/.test(code))
  );
}

function problem(res: express.Response, refusal: Refusal | { status: 413; detail: string }) {
  res
    .status(refusal.status)
    .type("application/problem+json")
    .send(JSON.stringify({ type: "about:blank", status: refusal.status, detail: refusal.detail }));
}

/** Whether Fedify could answer this read: its dispatchers refuse a request that does not list
 * a JSON type in Accept (acceptsJsonLd); WebFinger and NodeInfo answer whatever it says; the
 * JSON API is never its. */
function fedifyMayAnswer(req: express.Request): boolean {
  if (req.path.startsWith("/api/")) return false;
  if (/json/i.test(req.headers.accept ?? "")) return true;
  return req.path.startsWith("/.well-known/") || req.path === PATHS.nodeInfo;
}

function wellKnown(publicUrl: URL): express.Router {
  const router = express.Router();
  const webfinger = new URL("/.well-known/webfinger", publicUrl).href;
  // Fedify serves NodeInfo itself; this discovery document adds the instance actor (FEP-2677).
  router.get("/.well-known/nodeinfo", (_req, res) => {
    res.type("application/json").send(
      JSON.stringify({
        links: [
          {
            rel: "http://nodeinfo.diaspora.software/ns/schema/2.1",
            href: new URL(PATHS.nodeInfo, publicUrl).href,
          },
          {
            rel: "https://www.w3.org/ns/activitystreams#Application",
            href: actorUri(publicUrl, INSTANCE_ACTOR).href,
          },
        ],
      }),
    );
  });
  router.get("/.well-known/host-meta", (_req, res) => {
    res
      .type("application/xrd+xml")
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">\n  <Link rel="lrdd" template="${webfinger}?resource={uri}"/>\n</XRD>\n`,
      );
  });
  router.get("/.well-known/host-meta.json", (_req, res) => {
    res
      .type("application/json")
      .send(JSON.stringify({ links: [{ rel: "lrdd", template: `${webfinger}?resource={uri}` }] }));
  });
  return router;
}

/**
 * An inbox POST naming a context or document that cannot be loaded (down, refused, too big, too
 * slow) is the sender's problem: a 400 saying so, not a 500.
 */
async function answerOrRefuse(
  inboxPost: boolean,
  log: Logger,
  handle: () => Promise<Response>,
): Promise<Response> {
  try {
    return await handle();
  } catch (error) {
    if (!inboxPost || !isUnloadable(error)) throw error;
    log.info({ err: describeFailure(error) }, "inbox POST refused: a document could not be loaded");
    return Response.json(
      {
        type: "about:blank",
        title: "Bad Request",
        status: 400,
        detail: "A context or document named by the activity could not be loaded.",
      },
      { status: 400, headers: { "content-type": "application/problem+json" } },
    );
  }
}

/**
 * True when `url`'s host answered 401 or 403: it serves the document to signed requests only
 * (authorized fetch; our network groups and unlisted members, ADR 0085 and 0087).
 */
export function refusedUnsigned(error: unknown, url: string): boolean {
  const {
    name,
    response,
    url: failed,
  } = (error ?? {}) as {
    name?: unknown;
    response?: { status?: unknown };
    url?: unknown;
  };
  if (name !== "FetchError" || !(failed instanceof URL)) return false;
  const status = response?.status;
  return (status === 401 || status === 403) && failed.host === new URL(url).host;
}

export function federationMiddleware(
  federation: Federation<void>,
  publicUrl: URL,
  gate: Omit<GateDeps, "documentLoader" | "contextLoader" | "keyCache"> & {
    kv: KvStore;
    /** The federation's inbox queue, for the activities queued without Fedify's handler. */
    enqueueInbox(message: InboxMessage): Promise<void>;
    /** This process runs the inbox worker too (PROCESS_ROLE=all). */
    sameProcessWorker?: boolean;
  },
): express.Router {
  const context = federation.createContext(publicUrl);
  // Keys are fetched with our instance actor's signature: some actors (network groups, members
  // who are not listed) are served only to allowed instances (ADR 0085).
  let signed: Promise<DocumentLoader> | undefined;
  // Kept once made; a failure (database away) is not kept.
  const instanceLoader = () =>
    (signed ??= context.getDocumentLoader({ identifier: INSTANCE_ACTOR }).catch((error) => {
      signed = undefined;
      throw error;
    }));
  // One fetch at a time per URL: a burst of activities from a new actor fetches its key once.
  const documentLoader: DocumentLoader = singleFlight(async (url, options) => {
    // The cached loader first: a key already read stays usable when its actor is gone since
    // (the Delete of a deleted account is signed with the key its receivers already know).
    try {
      const document = await context.documentLoader(url, options);
      // The actor document that held the key serves the handlers' lookup of the same actor.
      rememberDocument(federation, url, document);
      return document;
    } catch (error) {
      // Signed again only when the key's host asked for a signature: a peer that is down, slow
      // or broken costs one try (one timeout), not two.
      if (!refusedUnsigned(error, url)) throw error;
      const document = await (await instanceLoader())(url, options);
      rememberDocument(federation, url, document);
      return document;
    }
  });
  const gateDeps: GateDeps = {
    ...gate,
    documentLoader,
    contextLoader: context.contextLoader,
    keyCache: new GateKeyCache(gate.kv, { documentLoader, contextLoader: context.contextLoader }),
  };
  const directInbox = {
    context,
    enqueue: gate.enqueueInbox,
    // The loader Fedify's worker reads a shared inbox's activity with (the shared inbox's key
    // is the instance actor's: federation/inbox/dispatch.ts), for the activity it takes.
    ...(gate.sameProcessWorker ? { workerLoader: instanceLoader } : {}),
  };
  const router = express.Router();
  router.use(wellKnown(publicUrl));
  router.use(async (req, res, next) => {
    try {
      if (req.method !== "GET" && req.method !== "HEAD" && req.method !== "POST") return next();
      // Fedify answers a read only when it asks for JSON(-LD), or at its own well-known and
      // NodeInfo paths: a page read goes on without a Fetch Request built for nothing.
      if (req.method !== "POST" && !fedifyMayAnswer(req)) return next();
      const url = new URL(req.originalUrl, publicUrl);
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (Array.isArray(value)) for (const v of value) headers.append(name, v);
        else if (typeof value === "string") headers.set(name, value);
      }
      // draft-cavage signatures cover `host`: the one the sender used is PUBLIC_URL's.
      headers.set("host", publicUrl.host);
      let body: Buffer | undefined;
      let direct: Admitted | undefined;
      if (req.method === "POST") {
        // Only inbox POSTs are Fedify's; forms and the JSON API keep their streams.
        const target = context.parseUri(url);
        if (target?.type !== "inbox") return next();
        try {
          body = await readBody(req);
        } catch (error) {
          if (error instanceof TooLarge) return problem(res, { status: 413, detail: "Too large." });
          throw error;
        }
        const admitted = await checkInboxPost(gateDeps, url, headers, body);
        if ("refusal" in admitted) return problem(res, admitted.refusal);
        // The shared inbox's common case is queued here; the rest goes on to Fedify (ADR 0169).
        if (target.identifier === undefined) direct = admitted;
      }
      let passOn = false;
      const response = await answerOrRefuse(req.method === "POST", gate.log, async () =>
        direct && (await queueDirectly(directInbox, direct.json, direct.key))
          ? QUEUED()
          : federation.fetch(
              new Request(url, {
                method: req.method,
                headers,
                body: body ? new Uint8Array(body) : undefined,
              }),
              {
                contextData: undefined,
                onNotFound: () => {
                  passOn = true;
                  return new Response(null, { status: 404 });
                },
                onNotAcceptable: () => {
                  passOn = true;
                  return new Response(null, { status: 406 });
                },
              },
            ),
      );
      if (passOn) return next();
      res.status(response.status);
      response.headers.forEach((value, name) => res.append(name, value));
      if (!response.body || req.method === "HEAD") return void res.end();
      // Fedify's answers are built in memory: sent in one write with their length, so that a
      // 202 of a few bytes is not streamed through the compression middleware (a gzip stream
      // per inbox POST cost more than its signature check).
      const answer = Buffer.from(await response.arrayBuffer());
      res.setHeader("content-length", answer.length);
      res.end(answer);
    } catch (error) {
      // Inbox listeners run from the queue: what fails while an inbox POST is read (a proof that
      // does not decode, a shape Fedify cannot parse) is the payload's, not ours; a database or
      // queue failure stays a 5xx so that the sender retries.
      if (req.method === "POST" && !res.headersSent && !ourFailure(error)) {
        gate.log.warn({ err: error, url: req.originalUrl }, "unreadable inbox POST");
        return problem(res, { status: 400, detail: "The activity could not be read." });
      }
      next(error);
    }
  });
  return router;
}
