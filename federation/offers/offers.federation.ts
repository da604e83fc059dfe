// What the offers module brings to federation: offers served as Event, the offers' port (what
// offers and bookings send), the inbox routes (Events of followed publishers, bookings across
// instances), and the backfill of a followed publisher's upcoming offers.
import type { FederationJobDefinitions, FederationModule } from "../module.ts";
import { backfillOffers } from "./backfill.ts";
import { sendMissingNotes } from "./offer-note.ts";
import { offerNoteRoutes } from "./offer-note.routes.ts";
import { registerOfferObjects } from "./offers.dispatcher.ts";
import { offersInbox } from "./offers.inbox.ts";
import { offersPort } from "./offers.port.ts";
import { registrationsInbox } from "./registrations.inbox.ts";

export interface OffersFederationJobs {
  "offers.backfill": { remoteActorId: number };
  "offers.missingNotes": Record<string, never>;
}

declare module "../../server/jobs/job-types.ts" {
  interface JobPayloads extends OffersFederationJobs {}
}

const jobs: FederationJobDefinitions<keyof OffersFederationJobs> = {
  // Retried while our Follow's Accept is not recorded yet, and when the publisher is down.
  "offers.backfill": {
    spec: { attempts: 8, backoffMs: 2_000, timeoutMs: 300_000 },
    run: async (runtime, job) => void (await backfillOffers(runtime, job.remoteActorId)),
  },
  // The notes of offers published before the setting was switched on (bounded: offer-note.ts).
  "offers.missingNotes": {
    spec: { attempts: 3, backoffMs: 30_000, timeoutMs: 300_000 },
    run: async (runtime) => void (await sendMissingNotes(runtime)),
  },
};

export const offersFederation: FederationModule = {
  name: "offers",
  objects: registerOfferObjects,
  ports: (runtime) => ({ offers: offersPort(runtime) }),
  inbox: [...offersInbox, ...registrationsInbox],
  jobs,
  web: (runtime) => ({
    name: "offers",
    publicRoutes: (router, ctx) => offerNoteRoutes(router, ctx, runtime),
    // Switched on: the offers already public get their note too, by a job (after the save).
    async settingsSaved(ctx, previous, saved) {
      if (saved.microblogNotes === true && previous.microblogNotes !== true)
        await ctx.queue.enqueue("offers.missingNotes", {});
    },
  }),
};
