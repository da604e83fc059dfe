import type { Context, Federation, KvStore } from "@fedify/fedify";
import type { Activity } from "@fedify/vocab";
import type express from "express";
import type { AppContext } from "../server/context.ts";
import type { Result } from "../server/lib/result.ts";
import type { LookupError } from "./actors/lookup.ts";
import type { RemoteActor } from "./actors/remote.ts";
import type { Deliveries } from "./delivery/deliveries.ts";
import type { ActorKeys } from "./keys.ts";
import type { LocalActors } from "./actors/local.ts";
import type { DomainPolicy } from "./policy.ts";
import type { ObjectAccessCheck } from "./activities.ts";

/** What the federation's dispatchers, listeners and jobs work with. */
export interface FederationDeps {
  app: AppContext;
  actors: LocalActors;
  keys: ActorKeys;
  policy: DomainPolicy;
  deliveries: Deliveries;
}

/** One instance's federation, built by the composition root and handed to the modules' ports,
 * jobs and pages (federation/runtime.ts builds it). */
export interface FederationRuntime extends FederationDeps {
  federation: Federation<void>;
  /** Fedify's key-value store (`federation_kv`, some prefixes also kept in memory: kv.ts). */
  kv: KvStore;
  middleware: express.RequestHandler;
  /** The modules' checks of who may read their objects (federation/activities.ts). */
  objectAccess: readonly ObjectAccessCheck[];
  /** A Fedify context outside any request (jobs, services). */
  context(): Context<void>;
  /**
   * Handles an activity as the inbox does once its signature is checked (the domain policy, then
   * the routes); the names of the routes that took it. Tests feed it other software's payloads.
   */
  receive(activity: Activity, payload?: Record<string, unknown>): Promise<string[]>;
  /** Finds a remote actor by handle or URL, within the domain policy. */
  lookup(target: string): Promise<Result<RemoteActor, LookupError>>;
  /**
   * Runs work whose outgoing requests leave through this instance's guarded agent (every hop's
   * address checked as connected, time and size limits: federation/http/outgoing.ts). Every
   * request and job of the instance runs in it.
   */
  withOutgoing<T>(work: () => T): T;
  /** The same guards, for a remote picture (a larger size limit: federation/media). */
  withMediaFetch<T>(work: () => T): T;
  /** Worker processes: start consuming federation jobs. */
  startQueue(): void;
  stop(): void;
  jobs: {
    publish(outboxIds: readonly number[]): Promise<void>;
    deliver(deliveryId: string, attempt: number): Promise<void>;
    deliverBatch(deliveries: readonly { deliveryId: string; attempt: number }[]): Promise<void>;
    inbox(message: Record<string, unknown>): Promise<void>;
    sweep(): Promise<void>;
  };
}
