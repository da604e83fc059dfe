// Federation's own module: the delivery and inbox jobs, the periodic sweep, the inbox routes of
// follows and of followed people's notes, and the pages of follows, remote actors and the
// federation admin (domains, deliveries).
import { followsInbox } from "./follows/follows.inbox.ts";
import type { FederationJobDefinitions, FederationModule } from "./module.ts";
import { notesInbox } from "./notes/notes.inbox.ts";
import { federationAdminRoutes } from "./web/admin.routes.ts";
import { federationApi } from "./web/federation.api.ts";
import { federationRoutes } from "./web/federation.routes.ts";

export interface FederationJobs {
  "federation.publish": { outboxId: number };
  "federation.deliver": { deliveryId: string; attempt: number };
  "federation.inbox": { message: Record<string, unknown> };
  "federation.sweep": Record<string, never>;
}

declare module "../server/jobs/job-types.ts" {
  interface JobPayloads extends FederationJobs {}
}

// Delivery retries follow federation/delivery's 48-hour schedule (Fedify re-enqueues); these
// attempts only cover a worker failing while it runs the job.
const jobs: FederationJobDefinitions<keyof FederationJobs> = {
  "federation.publish": {
    spec: { attempts: 5, backoffMs: 10_000, timeoutMs: 300_000 },
    run: (runtime, job) => runtime.jobs.publish(job.outboxId),
  },
  "federation.deliver": {
    spec: { attempts: 5, backoffMs: 10_000, timeoutMs: 60_000 },
    run: (runtime, job) => runtime.jobs.deliver(job.deliveryId, job.attempt),
  },
  "federation.inbox": {
    spec: { attempts: 5, backoffMs: 10_000, timeoutMs: 120_000 },
    run: (runtime, job) => runtime.jobs.inbox(job.message),
  },
  "federation.sweep": {
    spec: { attempts: 1, backoffMs: 60_000, timeoutMs: 120_000 },
    run: (runtime) => runtime.jobs.sweep(),
  },
};

export const federationModule: FederationModule = {
  name: "federation",
  jobs,
  inbox: [...followsInbox, ...notesInbox],
  scheduled: [{ job: "federation.sweep", everySeconds: 300 }],
  web: (runtime) => ({
    name: "federation",
    nav: [{ href: "/follows", label: "federation:nav.follows", signedIn: true }],
    adminNav: [
      { href: "/admin/federation", label: "federation:admin.title", key: "federation" },
      {
        href: "/admin/federation/deliveries",
        label: "federation:deliveries.title",
        key: "deliveries",
      },
    ],
    routes(router, ctx) {
      federationRoutes(router, ctx, runtime);
      federationAdminRoutes(router, ctx, runtime);
    },
    api: (api, ctx) => federationApi(api, ctx, runtime),
  }),
};
