// What a module brings to federation, declared in federation/<module>/: its object dispatchers,
// local actors, the implementation of its domain's port, its federation jobs, and pages that need
// the federation runtime. The composition root (app/) joins it to the domain module of the same
// name (ADR 0060).
import type { Federation } from "@fedify/fedify";
import type { AppContext } from "../server/context.ts";
import type { JobContext, JobPayloads, JobSpec, JobType } from "../server/jobs/job-types.ts";
import type { Module, ScheduledJob } from "../server/modules/module.ts";
import type { FederationPorts } from "../server/ports.ts";
import type { LocalActorSource } from "./actors/local.ts";
import type { FederationDeps } from "./deps.ts";
import type { InboxRoute } from "./inbox/route.ts";
import type { FederationRuntime } from "./deps.ts";
import type { ObjectAccessCheck } from "./activities.ts";
import type { QuestionSource } from "./questions.ts";

/** A federation job runs with the instance's federation runtime. */
export interface FederationJobDefinition<P> {
  spec: JobSpec;
  run(runtime: FederationRuntime, payload: P, job: JobContext): Promise<void>;
}

export type FederationJobDefinitions<K extends JobType> = {
  readonly [T in K]: FederationJobDefinition<JobPayloads[T]>;
};

export interface FederationModule {
  /** The domain module it serves (same name), or federation's own. */
  name: string;
  /** Registers dispatchers of the module's object types (offers: Event at /offers/{id}). */
  objects?(federation: Federation<void>, deps: FederationDeps): void;
  /**
   * The module's Questions, served by the one Question dispatcher at /{kind}/{id}
   * (federation/questions.ts, ADR 0137): Fedify takes one dispatcher per type.
   */
  questions?(deps: FederationDeps): QuestionSource;
  /**
   * Who may read the module's objects now (visible, hidden, gone): the activities about them are
   * served at their ids with that visibility (federation/activities.ts).
   */
  objectAccess?(deps: FederationDeps): ObjectAccessCheck;
  /** Local actors of the module (forums: a Group per public or network group). */
  actors?(app: AppContext): LocalActorSource;
  /** Implements the domain's port(s), given the runtime. */
  ports?(runtime: FederationRuntime): Partial<FederationPorts>;
  /**
   * Inbox routes, by activity type and object type; every route of a pair runs (the dispatcher,
   * federation/inbox/dispatch.ts, says how: ADR 0062).
   */
  inbox?: readonly InboxRoute[];
  jobs?: { readonly [K in JobType]?: FederationJobDefinition<JobPayloads[K]> };
  scheduled?: ScheduledJob[];
  /** Pages and API routes that need the runtime (follow forms, the deliveries page). */
  web?(runtime: FederationRuntime): Module;
}
