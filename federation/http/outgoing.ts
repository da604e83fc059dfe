// Every request the federation makes (deliveries, actor and object fetches, JSON-LD contexts,
// WebFinger) leaves through an agent of its instance (ADR 0083):
// - the address checked is the address connected to: the name is resolved once, by the socket's
//   own lookup, and an address outside the policy is refused before any byte is sent; this holds
//   for every redirect hop, since each hop is a new request through the same agent;
// - link-local (cloud metadata), unspecified, multicast and reserved addresses are always
//   refused; loopback and private ones unless FEDERATION_ALLOW_PRIVATE_ADDRESSES=1;
// - deliveries also refuse a host that the domain policy does not allow (a redirect to another
//   host never carries a signed activity there);
// - every request has a connect, headers, idle and total time limit, and a size limit on what it
//   reads (documents 1 MB).
// Fedify calls the global `fetch`, so the process's global dispatcher routes each request to the
// agent of the instance whose work is running (an AsyncLocalStorage set by `OutgoingHttp.run`
// around every request and job of the instance); requests made outside any instance's work
// (tests, tools) keep the dispatcher in place before.
import { AsyncLocalStorage } from "node:async_hooks";
import dns from "node:dns";
import net from "node:net";
import {
  Agent,
  buildConnector,
  DecoratorHandler,
  Dispatcher,
  getGlobalDispatcher,
  setGlobalDispatcher,
} from "undici";

export const OUTGOING_LIMITS = {
  connectMs: 5_000,
  headersMs: 10_000,
  idleMs: 10_000,
  totalMs: 30_000,
  documentBytes: 1_000_000,
  /** Remote pictures copied for our pages (federation/media). */
  mediaBytes: 8_000_000,
  deliveryResponseBytes: 256_000,
} as const;

export class RefusedDestinationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RefusedDestinationError";
  }
}

function blockList(subnets: readonly [string, number, "ipv4" | "ipv6"][]): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix, family] of subnets) list.addSubnet(address, prefix, family);
  return list;
}

/** Never a federation peer, whatever the configuration. */
const NEVER = blockList([
  ["0.0.0.0", 8, "ipv4"],
  ["169.254.0.0", 16, "ipv4"], // link-local: cloud metadata services
  ["224.0.0.0", 4, "ipv4"], // multicast
  ["240.0.0.0", 4, "ipv4"], // reserved, broadcast
  ["::", 128, "ipv6"],
  ["fe80::", 10, "ipv6"],
  ["ff00::", 8, "ipv6"],
]);

/** Peers only in tests and local trials (FEDERATION_ALLOW_PRIVATE_ADDRESSES=1). */
const PRIVATE = blockList([
  ["127.0.0.0", 8, "ipv4"],
  ["10.0.0.0", 8, "ipv4"],
  ["172.16.0.0", 12, "ipv4"],
  ["192.168.0.0", 16, "ipv4"],
  ["100.64.0.0", 10, "ipv4"], // carrier-grade NAT
  ["192.0.0.0", 24, "ipv4"],
  ["198.18.0.0", 15, "ipv4"], // benchmarking
  ["::1", 128, "ipv6"],
  ["fc00::", 7, "ipv6"], // unique local (also AWS's IPv6 metadata address)
]);

/** Why an address may not be connected to, or undefined when it may. */
export function addressRefusal(address: string, allowPrivate: boolean): string | undefined {
  let ip = address.replace(/^\[|\]$/g, "");
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) ip = mapped[1]!;
  const family = net.isIP(ip);
  if (family === 0) return `not an IP address: ${address}`;
  const type = family === 4 ? "ipv4" : "ipv6";
  if (NEVER.check(ip, type)) return `address ${ip} is never allowed (link-local, reserved)`;
  if (!allowPrivate && PRIVATE.check(ip, type)) return `private address ${ip} is not allowed`;
  return undefined;
}

function causes(error: unknown): unknown[] {
  const chain: unknown[] = [];
  let current: unknown = error;
  while (current && typeof current === "object" && chain.length < 8) {
    chain.push(current);
    const e = current as { cause?: unknown; details?: { cause?: unknown } };
    current = e.cause ?? e.details?.cause;
  }
  return chain;
}

/** The messages of an error and its causes, joined: "fetch failed: private address …". */
export function describeFailure(error: unknown): string {
  return causes(error)
    .map((e) => (e instanceof Error ? e.message : String(e)))
    .filter((m, i, all) => m && all.indexOf(m) === i)
    .join(": ")
    .split("\n")[0]!
    .slice(0, 500);
}

/**
 * True when a remote document or JSON-LD context could not be loaded: unreachable, refused by
 * this policy, an HTTP error, too big, too slow, or not JSON-LD.
 */
export function isUnloadable(error: unknown): boolean {
  return causes(error).some((e) => {
    const { name, code, message } = e as { name?: unknown; code?: unknown; message?: unknown };
    return (
      (typeof name === "string" &&
        (name.startsWith("jsonld.") ||
          name === "FetchError" ||
          name === "RefusedDestinationError")) ||
      (typeof code === "string" && code.startsWith("UND_ERR")) ||
      message === "fetch failed"
    );
  });
}

export interface OutgoingPolicy {
  allowPrivate: boolean;
  /** Checked for every host connected to (deliveries: the domain policy). */
  hostAllowed?: (host: string) => Promise<boolean>;
  maxResponseBytes: number;
}

type LookupCallback = (
  error: NodeJS.ErrnoException | null,
  address: string | dns.LookupAddress[],
  family?: number,
) => void;

function guardedConnector(policy: OutgoingPolicy): buildConnector.connector {
  // The socket's own lookup: the addresses checked are the ones it connects to.
  const lookup = (hostname: string, options: dns.LookupOptions, callback: LookupCallback) => {
    dns.lookup(hostname, { all: true, family: options.family ?? 0 }, (error, addresses) => {
      if (error) return callback(error, "");
      const allowed = addresses.filter((a) => !addressRefusal(a.address, policy.allowPrivate));
      if (allowed.length === 0) {
        const why = addressRefusal(addresses[0]?.address ?? "", policy.allowPrivate);
        return callback(new RefusedDestinationError(`${hostname}: ${why}`), "");
      }
      if (options.all) return callback(null, allowed);
      callback(null, allowed[0]!.address, allowed[0]!.family);
    });
  };
  const connect = buildConnector({
    timeout: OUTGOING_LIMITS.connectMs,
    lookup,
  } as buildConnector.BuildOptions);
  return (options, callback) => {
    const literal = options.hostname.replace(/^\[|\]$/g, "");
    if (net.isIP(literal)) {
      const why = addressRefusal(literal, policy.allowPrivate);
      if (why) return callback(new RefusedDestinationError(why), null);
    }
    if (!policy.hostAllowed) return connect(options, callback);
    const host = options.port ? `${options.hostname}:${options.port}` : options.hostname;
    policy.hostAllowed(host).then(
      (ok) =>
        ok
          ? connect(options, callback)
          : callback(new RefusedDestinationError(`${host} is not allowed by the policy`), null),
      (error: unknown) => callback(error as Error, null),
    );
  };
}

// undici's DecoratorHandler bridges the old and new handler interfaces at run time; its typings
// declare neither, hence this view of it.
interface NewHandler {
  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void;
  onResponseEnd(controller: Dispatcher.DispatchController, trailers: unknown): void;
  onResponseError(controller: Dispatcher.DispatchController, error: Error): void;
  onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: unknown,
    statusMessage?: string,
  ): void;
}
const Decorator = DecoratorHandler as unknown as new (
  handler: Dispatcher.DispatchHandler,
) => NewHandler & Dispatcher.DispatchHandler;

/** Aborts a request still running after the total time limit (a peer sending a byte a second). */
class DeadlineHandler extends Decorator {
  #timer: NodeJS.Timeout | undefined;

  override onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.#timer = setTimeout(
      () =>
        controller.abort(
          new RefusedDestinationError(`no complete answer within ${OUTGOING_LIMITS.totalMs} ms`),
        ),
      OUTGOING_LIMITS.totalMs,
    );
    this.#timer.unref();
    super.onRequestStart(controller, context);
  }

  override onResponseEnd(controller: Dispatcher.DispatchController, trailers: unknown): void {
    clearTimeout(this.#timer);
    super.onResponseEnd(controller, trailers);
  }

  override onResponseError(controller: Dispatcher.DispatchController, error: Error): void {
    clearTimeout(this.#timer);
    super.onResponseError(controller, error);
  }
}

/** The statuses a delivery's requests were answered with, in order (see `Deliveries`): a signed
 * POST may be sent twice (RFC 9421, then draft-cavage), and the second answer may hide the first. */
export const deliveryAnswers = new AsyncLocalStorage<number[]>();

class AnswerRecorder extends Decorator {
  // Taken when the request is dispatched: the response's callbacks run in the socket's context.
  readonly #answers = deliveryAnswers.getStore();

  override onResponseStart(
    controller: Dispatcher.DispatchController,
    statusCode: number,
    headers: unknown,
    statusMessage?: string,
  ): void {
    this.#answers?.push(statusCode);
    super.onResponseStart(controller, statusCode, headers, statusMessage);
  }
}

export function guardedAgent(policy: OutgoingPolicy): Dispatcher {
  return new Agent({
    connect: guardedConnector(policy),
    headersTimeout: OUTGOING_LIMITS.headersMs,
    bodyTimeout: OUTGOING_LIMITS.idleMs,
    maxResponseSize: policy.maxResponseBytes,
  }).compose(
    (dispatch) => (options, handler) =>
      dispatch(options, new DeadlineHandler(new AnswerRecorder(handler))),
  );
}

const current = new AsyncLocalStorage<Dispatcher>();

/**
 * The global dispatcher: the agent of the instance whose work is running (every HTTP request and
 * every job of an instance runs inside its context, and the context follows async work, body
 * parsing included), else the dispatcher in place before: requests made outside any instance's
 * work (tools, tests) are not the federation's.
 */
class InstanceDispatcher extends Dispatcher {
  readonly #fallback: Dispatcher;
  constructor(fallback: Dispatcher) {
    super();
    this.#fallback = fallback;
  }
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler) {
    return (current.getStore() ?? this.#fallback).dispatch(options, handler);
  }
}

function installGlobalDispatcher(): void {
  const installed = getGlobalDispatcher();
  if (!(installed instanceof InstanceDispatcher))
    setGlobalDispatcher(new InstanceDispatcher(installed));
}

/** One instance's outgoing HTTP: documents (fetches) and deliveries (signed POSTs). */
export class OutgoingHttp {
  readonly documents: Dispatcher;
  readonly deliveries: Dispatcher;
  /** Remote pictures: the documents' guards with a larger size limit. */
  readonly media: Dispatcher;

  constructor(allowPrivate: boolean, hostAllowed: (host: string) => Promise<boolean>) {
    installGlobalDispatcher();
    this.documents = guardedAgent({
      allowPrivate,
      maxResponseBytes: OUTGOING_LIMITS.documentBytes,
    });
    this.deliveries = guardedAgent({
      allowPrivate,
      hostAllowed,
      maxResponseBytes: OUTGOING_LIMITS.deliveryResponseBytes,
    });
    this.media = guardedAgent({ allowPrivate, maxResponseBytes: OUTGOING_LIMITS.mediaBytes });
  }

  /** Runs work whose requests leave through this instance's document agent. */
  run<T>(work: () => T): T {
    return current.run(this.documents, work);
  }

  /** Runs the fetch of a remote picture (federation/media). */
  fetchMedia<T>(work: () => T): T {
    return current.run(this.media, work);
  }

  /** Runs a delivery: its requests (and their redirects) only go to allowed hosts. */
  deliver<T>(work: () => T): T {
    return current.run(this.deliveries, work);
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.documents.close(), this.deliveries.close(), this.media.close()]);
  }
}
