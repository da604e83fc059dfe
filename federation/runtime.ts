// One instance's federation: Fedify wired to our database (key-value store, keys, policy) and
// job queue, the Express middleware, and the job handlers. Built once at boot by the composition
// root (app/instance.ts) from the federation modules.
import "./temporal.ts";
import type { Message } from "@fedify/fedify";
import { getUserAgent } from "@fedify/vocab-runtime";
import type { AppContext } from "../server/context.ts";
import { lookupRemoteActor } from "./actors/lookup.ts";
import { LocalActors, localActorSources } from "./actors/local.ts";
import { Deliveries, type OutboxMessage } from "./delivery/deliveries.ts";
import { dispatchOutbox, undispatched } from "./delivery/publish.ts";
import { JobMessageQueue } from "./delivery/queue.ts";
import { PeerSignatures } from "./delivery/peer-signatures.ts";
import { FanoutSender, type Body } from "./delivery/sender.ts";
import type { FederationDeps, FederationRuntime } from "./deps.ts";

export type { FederationRuntime };
import { buildFederation, SIGNATURE_WINDOW } from "./federation.ts";
import { inboxDispatcher } from "./inbox/dispatch.ts";
import { federationMiddleware } from "./http/adapter.ts";
import { OutgoingHttp } from "./http/outgoing.ts";
import { ActorKeys, keyIndexFromId } from "./keys.ts";
import { DbKvStore } from "./kv.ts";
import { routeFedifyLogs } from "./logging.ts";
import { SOFTWARE } from "./nodeinfo.ts";
import type { FederationModule } from "./module.ts";
import { DomainPolicy } from "./policy.ts";
import { hostOf } from "./uris.ts";

export interface RuntimeOptions {
  /** Whether a module's inbox routes run (plugins switched off: skipped); all by default. */
  isEnabled?(module: string): boolean;
}

/** Built once per instance by the composition root, which hands it to the federation modules'
 * ports, jobs and pages: nothing looks it up. */
export async function createFederationRuntime(
  app: AppContext,
  modules: readonly FederationModule[],
  options: RuntimeOptions = {},
): Promise<FederationRuntime> {
  const { config, db, queue } = app;
  routeFedifyLogs(app.log);
  const deps: FederationDeps = {
    app,
    actors: new LocalActors(
      localActorSources(
        app,
        modules.flatMap((m) => (m.actors ? [m.actors(app)] : [])),
      ),
    ),
    keys: new ActorKeys(db),
    policy: new DomainPolicy(db, config.federation.mode, config.publicUrl.host),
    deliveries: new Deliveries(db, queue, app.log),
  };
  await deps.policy.bootstrap(config.federation.allowedDomains);
  const outgoing = new OutgoingHttp(config.federation.allowPrivateAddresses, (host) =>
    deps.policy.allows(host),
  );

  const kv = new DbKvStore(
    db,
    app.redis ? { redis: app.redis, prefix: config.redisPrefix } : undefined,
  );
  const inboxQueue = new JobMessageQueue((message, delayMs) =>
    queue.enqueue("federation.inbox", { message: message as never }, { delayMs }),
  );
  const outboxQueue = new JobMessageQueue(
    (message, delayMs) => deps.deliveries.enqueue(message as OutboxMessage, delayMs),
    (messages) => deps.deliveries.enqueueMany(messages as OutboxMessage[]),
  );
  const inbox = inboxDispatcher(
    deps,
    modules.flatMap((m) => (m.inbox ?? []).map((route) => ({ module: m.name, route }))),
    options.isEnabled ? { isEnabled: options.isEnabled } : {},
  );
  const federation = buildFederation(
    deps,
    kv,
    { inbox: inboxQueue, outbox: outboxQueue },
    modules,
    inbox,
  );
  const context = () => federation.createContext(config.publicUrl);
  const stopping = new AbortController();

  // Queued outbox messages keep key ids only; the private keys are read back from the database.
  // A fan-out restores the same key for every delivery: its key id is kept resolved (parsing our
  // URL templates per delivery cost more than signing), a failure is not kept.
  const privateKeys = new Map<string, Promise<JsonWebKey>>();
  const privateKeyOf = (keyId: string) => {
    let found = privateKeys.get(keyId);
    if (!found) {
      if (privateKeys.size >= 1_000) privateKeys.delete(privateKeys.keys().next().value!);
      found = (async () => {
        const url = new URL(keyId);
        const parsed = context().parseUri(new URL(url.pathname, url));
        const index = keyIndexFromId(url);
        const stored =
          parsed?.type === "actor" && index !== undefined
            ? (await deps.keys.stored(parsed.identifier))[index]
            : undefined;
        if (!stored) throw new Error(`no private key for ${keyId}`);
        return stored.privateJwk;
      })();
      found.catch(() => privateKeys.delete(keyId));
      privateKeys.set(keyId, found);
    }
    return found;
  };
  const restoreKeys = async (keys: { keyId: string }[]) =>
    Promise.all(keys.map(async ({ keyId }) => ({ keyId, privateKey: await privateKeyOf(keyId) })));

  // Through the same delivery agent as Fedify's sends: the same address and domain guards.
  const fanout = new FanoutSender(
    outgoing.deliveries,
    kv,
    // The same User-Agent as Fedify's requests (FEDERATION.md).
    getUserAgent({ software: `Maillage/${SOFTWARE.version}`, url: config.publicUrl }),
  );
  const peerSignatures = new PeerSignatures(db);
  const checks = {
    allowed: (host: string) => deps.policy.allows(host),
    publicOnly: !config.federation.allowPrivateAddresses,
    restoreKeys,
    // The signed POST, and any redirect of it, only goes to hosts the policy allows.
    send: (message: OutboxMessage) => outgoing.deliver(() => outboxQueue.process(message)),
    async sendFirst(message: OutboxMessage, body: Body) {
      const ed25519 = await peerSignatures.acceptsEd25519(hostOf(message.inbox));
      const key = await fanout.signingKey(message.keys, ed25519);
      if (!key) return false;
      const status = await fanout.post(message.inbox, body, key, message.headers);
      return status >= 200 && status < 300;
    },
  };

  const runtime: FederationRuntime = {
    ...deps,
    federation,
    kv,
    objectAccess: modules.flatMap((m) => (m.objectAccess ? [m.objectAccess(deps)] : [])),
    middleware: federationMiddleware(federation, config.publicUrl, {
      kv,
      policy: deps.policy,
      log: app.log,
      timeWindow: SIGNATURE_WINDOW,
      enqueueInbox: (message) => inboxQueue.enqueue(message),
      sameProcessWorker: config.role === "all",
    }),
    context,
    receive: (activity, payload) => inbox(context(), activity, payload),
    withOutgoing: (work) => outgoing.run(work),
    withMediaFetch: (work) => outgoing.fetchMedia(work),
    lookup: (target) =>
      outgoing.run(() =>
        lookupRemoteActor(
          {
            db,
            log: app.log,
            policy: deps.policy,
            ownHost: config.publicUrl.host,
            allowPrivateAddresses: config.federation.allowPrivateAddresses,
          },
          context(),
          target,
        ),
      ),
    startQueue() {
      void federation.startQueue(undefined, { signal: stopping.signal });
    },
    stop() {
      stopping.abort();
      void outgoing.close();
    },
    jobs: {
      publish: (outboxIds) => dispatchOutbox(deps, context(), outboxIds),
      deliver: (deliveryId, attempt) => deps.deliveries.deliver(deliveryId, attempt, checks),
      deliverBatch: (deliveries) => deps.deliveries.deliverBatch(deliveries, checks),
      inbox: (message) => inboxQueue.process(message as unknown as Message),
      async sweep() {
        for (const id of await undispatched(deps))
          await queue.enqueue("federation.publish", { outboxId: id });
        await kv.prune();
        await deps.deliveries.prune();
      },
    },
  };
  return runtime;
}
