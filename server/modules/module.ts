// The contract a feature fills in, in its own folder: everything it brings to the app. The app,
// the job map and the schema are assembled from the list of modules (app/modules.ts), so adding
// a feature is its folder plus one line there. ADR 0060.
import type express from "express";
import type { AppContext } from "../context.ts";
import type { ApiRegistry } from "../api/api-registry.ts";
import type { Role } from "../accounts/accounts.tables.ts";
import type { JobContext, JobPayloads, JobSpec, JobType } from "../jobs/job-types.ts";
import type { ModuleSettings, SlotContent } from "./settings.ts";
import type { Tx } from "../db/transaction.ts";

export type { ModuleSettings, SettingSchema, SlotContent } from "./settings.ts";

export interface NavItem {
  href: string;
  /** Message key of the label. */
  label: string;
  /** Shown only to signed-in members with one of these roles (any signed-in member if empty). */
  roles?: Role[];
  signedIn?: boolean;
}

/** An entry of the administration side menu; `key` is the page's `section`. */
export interface AdminNavItem {
  href: string;
  label: string;
  key: string;
}

/** A job type's retry policy and what runs it. */
export interface JobDefinition<P> {
  spec: JobSpec;
  run(ctx: AppContext, payload: P, job: JobContext): Promise<void>;
}

/**
 * The jobs of a module, exhaustive over its own job types: a module declares its payloads by
 * augmenting `JobPayloads` (server/jobs/job-types.ts) and types its map with the keys it added,
 * so a type without a definition does not compile.
 */
export type JobDefinitions<K extends JobType> = {
  readonly [T in K]: JobDefinition<JobPayloads[T]>;
};

/** Periodic work: every `everySeconds`, one worker enqueues the job (payload `{}`). */
export interface ScheduledJob {
  job: { [K in JobType]: JobPayloads[K] extends Record<string, never> ? K : never }[JobType];
  everySeconds: number;
}

/**
 * Fills a slot of another module's page, given what that page shows (`subject`); undefined leaves
 * it empty. Slots of a module switched off are not asked.
 */
export type SlotFiller = (
  req: express.Request,
  ctx: AppContext,
  subject: Record<string, unknown>,
) => Promise<SlotContent | undefined>;

export interface Module {
  /** Unique; also the message namespace and the views folder (views/<name>/). */
  name: string;
  /**
   * A folder laid out as views/ is (`<name>/*.hbs`, `<name>/<name>.<lang>.json`,
   * `<name>/partials/`), for modules that do not live in this repository's views/ (plugins).
   */
  views?: string;
  /** A folder of its own numbered SQL migrations, recorded under its name (ADR 0061). */
  migrations?: string;
  settings?: ModuleSettings;
  /** Slots of other modules' pages it fills, by slot name (`offers.offer`). */
  slots?: Record<string, SlotFiller>;
  nav?: NavItem[];
  adminNav?: AdminNavItem[];
  /** Stylesheets under /static that every page loads (the module's blocks appear anywhere). */
  styles?: string[];
  /**
   * A folder of its own static files (plugins), served under /static/<name>/ and linked by
   * content hash, cached for a year, as views/static's are (ADR 0142).
   */
  static?: string;
  /** Routes mounted before the HTML stack (no session, no CSRF): feeds, well-known, media. */
  publicRoutes?(router: express.Router, ctx: AppContext): void;
  /**
   * Paths of its pages (Express patterns) that anonymous visitors may get from the short page
   * cache, with public caching headers (ADR 0150): pages that show published content only.
   */
  cachedPages?: string[];
  /** HTML routes, with session, CSRF protection and the signed-in member. */
  routes?(router: express.Router, ctx: AppContext): void;
  /** JSON API routes under /api/v1, declared with their schemas (they write the OpenAPI document). */
  api?(api: ApiRegistry, ctx: AppContext): void;
  /**
   * Locals the home page shows for this module (e.g. upcoming offers). A `homeBlock` key
   * ({ partial, locals }) is not merged but added to the home page's list of blocks, so that
   * plugins bring their block without the home page knowing them.
   */
  home?(req: express.Request, ctx: AppContext): Promise<Record<string, unknown>>;
  /**
   * A member's account is being deleted: close what they published (listings, offers of help).
   * Runs inside the deletion's transaction, before the account's rows go; also for a plugin
   * switched off whose tables exist, so that its data does not outlive the account's wishes.
   */
  accountClosed?(tx: Tx, userId: string, ctx: AppContext): Promise<void>;
  /**
   * Settings of the module of this name were saved (committed): react to a change, e.g. queue a
   * job. Errors are logged, never the save's failure.
   */
  settingsSaved?(
    ctx: AppContext,
    previous: Record<string, unknown>,
    saved: Record<string, unknown>,
  ): Promise<void>;
  /** Its job types, typed with `JobDefinitions<keyof ItsJobs>`. */
  jobs?: { readonly [K in JobType]?: JobDefinition<JobPayloads[K]> };
  scheduled?: ScheduledJob[];
}
