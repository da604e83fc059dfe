// Builds the Fedify federation of one instance. Modules with object types of their own register
// their dispatchers through their federation module (offers: Event at /offers/{id}; forums: Page
// and Note); those publishing Questions (consultations, budgets) give a source to the one
// Question dispatcher (federation/questions.ts).
import "./temporal.ts";
import "./contexts.ts";
import "./activity-parse.ts";
import "./jsonld-reexpansion.ts";
import { createFederation, type Federation } from "@fedify/fedify";
import type { KvStore, MessageQueue, RetryPolicy } from "@fedify/fedify";
import { registerActors } from "./actors/dispatcher.ts";
import { registerCollections } from "./collections.ts";
import { PERMANENT_REFUSALS, retryDelay } from "./delivery/retries.ts";
import type { FederationDeps } from "./deps.ts";
import { registerInbox, type InboxDispatcher } from "./inbox/dispatch.ts";
import { registerNodeInfo, SOFTWARE } from "./nodeinfo.ts";
import type { FederationModule } from "./module.ts";
import { registerQuestions } from "./questions.ts";

/** How far a signature's date may be from now (draft-cavage Date, RFC 9421 `created`). */
export const SIGNATURE_WINDOW = { hours: 1 } as const;

const deliveryRetryPolicy: RetryPolicy = ({ elapsedTime, attempts }) => {
  const delay = retryDelay(elapsedTime.total("millisecond"), attempts);
  return delay === null ? null : Temporal.Duration.from({ milliseconds: delay });
};

type LoaderFactory = (options?: object) => unknown;

/**
 * Fedify 2.3.6 builds a new document loader and context loader for every context it creates,
 * that is twice for each queued inbox activity and once per publication; each build compiles a
 * URL pattern and a duration for its cache rule (about 3 % of the worker's CPU in
 * `npm run bench:inbox`). The loaders hold no state of their own (their cache is the key-value
 * store), so one per set of options is kept and handed out again. The factories are fields of
 * Fedify's federation object, not of its interface: if a later version renames them, nothing
 * is changed.
 */
function reuseLoaders(federation: Federation<void>): void {
  const fields = federation as unknown as Record<string, unknown>;
  for (const name of ["documentLoaderFactory", "contextLoaderFactory"]) {
    const build = fields[name];
    if (typeof build !== "function") continue;
    const built = new Map<string, unknown>();
    fields[name] = ((options?: object) => {
      const key = JSON.stringify(options ?? null);
      let loader = built.get(key);
      if (loader === undefined) {
        if (built.size >= 100) built.clear();
        loader = (build as LoaderFactory).call(federation, options);
        built.set(key, loader);
      }
      return loader;
    }) satisfies LoaderFactory;
  }
}

export function buildFederation(
  deps: FederationDeps,
  kv: KvStore,
  queues: { inbox: MessageQueue; outbox: MessageQueue },
  modules: readonly FederationModule[],
  inbox: InboxDispatcher,
): Federation<void> {
  const { config } = deps.app;
  const federation = createFederation<void>({
    kv,
    queue: queues,
    // Worker processes start the queues; web processes only enqueue.
    manuallyStartQueue: true,
    origin: config.publicUrl.origin,
    allowPrivateAddress: config.federation.allowPrivateAddresses,
    userAgent: { software: `Maillage/${SOFTWARE.version}`, url: config.publicUrl },
    signatureTimeWindow: SIGNATURE_WINDOW,
    outboxRetryPolicy: deliveryRetryPolicy,
    permanentFailureStatusCodes: PERMANENT_REFUSALS,
    onOutboxError: (error) => deps.deliveries.noteError(error),
    // Our per-delivery backoff and dead state (visible to admins) replace the circuit breaker.
    circuitBreaker: false,
  });
  reuseLoaders(federation);
  registerActors(federation, deps);
  registerCollections(federation, deps);
  registerInbox(federation, deps, inbox);
  registerNodeInfo(federation, deps);
  for (const module of modules) module.objects?.(federation, deps);
  registerQuestions(
    federation,
    deps,
    modules.flatMap((m) => (m.questions ? [m.questions(deps)] : [])),
  );
  return federation;
}
