// Federation's own module: the delivery and inbox jobs, the periodic sweep, the inbox routes of
// follows and of followed people's notes, and the pages of follows, remote actors and the
// federation admin (domains, deliveries).
import { followsInbox } from "./follows/follows.inbox.ts";
import { fetchMedia } from "./media/media.fetch.ts";
import { pruneMedia } from "./media/media.prune.ts";
import { mediaRoutes } from "./media/media.routes.ts";
import type { FederationJobDefinitions, FederationModule } from "./module.ts";
import { cardsInbox } from "./notes/cards.inbox.ts";
import { notesInbox } from "./notes/notes.inbox.ts";
import { federationAdminRoutes } from "./web/admin.routes.ts";
import { federationApi } from "./web/federation.api.ts";
import { federationRoutes } from "./web/federation.routes.ts";
import { activitiesRoutes } from "./web/activities.routes.ts";

export interface FederationJobs {
  /** `outboxIds`: the activities of one transaction, in order (jobs queued before it: one). */
  "federation.publish": { outboxId: number; outboxIds?: number[] };
  "federation.deliver": { deliveryId: string; attempt: number };
  /** A fan-out's first tries to one host, up to 50 (federation/delivery/deliveries.ts). */
  "federation.deliverBatch": { deliveries: { deliveryId: string; attempt: number }[] };
  "federation.inbox": { message: Record<string, unknown> };
  "federation.sweep": Record<string, never>;
  /** Makes our copy of a remote picture (federation/media). */
  "federation.media": { key: string };
  /** Deletes old copies of remote pictures nothing shows any more (media.prune.ts). */
  "federation.mediaPrune": Record<string, never>;
}

declare module "../server/jobs/job-types.ts" {
  interface JobPayloads extends FederationJobs {}
}

// Delivery retries follow federation/delivery's 48-hour schedule (Fedify re-enqueues); these
// attempts only cover a worker failing while it runs the job.
const jobs: FederationJobDefinitions<keyof FederationJobs> = {
  "federation.publish": {
    spec: { attempts: 5, backoffMs: 10_000, timeoutMs: 300_000 },
    run: (runtime, job) => runtime.jobs.publish(job.outboxIds ?? [job.outboxId]),
  },
  "federation.deliver": {
    spec: { attempts: 5, backoffMs: 10_000, timeoutMs: 60_000 },
    run: (runtime, job) => runtime.jobs.deliver(job.deliveryId, job.attempt),
  },
  "federation.deliverBatch": {
    spec: { attempts: 5, backoffMs: 10_000, timeoutMs: 300_000 },
    run: (runtime, job) => runtime.jobs.deliverBatch(job.deliveries),
  },
  "federation.inbox": {
    spec: { attempts: 5, backoffMs: 10_000, timeoutMs: 120_000 },
    run: (runtime, job) => runtime.jobs.inbox(job.message),
  },
  "federation.sweep": {
    spec: { attempts: 1, backoffMs: 60_000, timeoutMs: 120_000 },
    run: (runtime) => runtime.jobs.sweep(),
  },
  "federation.media": {
    spec: { attempts: 3, backoffMs: 60_000, timeoutMs: 60_000 },
    run: (runtime, job) => fetchMedia(runtime, job.key),
  },
  "federation.mediaPrune": {
    spec: { attempts: 1, backoffMs: 60_000, timeoutMs: 300_000 },
    run: async (runtime) => void (await pruneMedia(runtime)),
  },
};

export const federationModule: FederationModule = {
  name: "federation",
  jobs,
  inbox: [...followsInbox, ...notesInbox, ...cardsInbox],
  scheduled: [
    { job: "federation.sweep", everySeconds: 300 },
    { job: "federation.mediaPrune", everySeconds: 86_400 },
  ],
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
      mediaRoutes(router, ctx);
      federationRoutes(router, ctx, runtime);
      activitiesRoutes(router, ctx, runtime);
      federationAdminRoutes(router, ctx, runtime);
    },
    api: (api, ctx) => federationApi(api, ctx, runtime),
  }),
};
