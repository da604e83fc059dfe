// What the offers module brings to federation: offers served as Event, the offers' port (what
// offers and bookings send), the inbox routes (Events of followed publishers, bookings across
// instances), and the backfill of a followed publisher's upcoming offers.
import type { FederationJobDefinitions, FederationModule } from "../module.ts";
import { backfillOffers } from "./backfill.ts";
import { registerOfferObjects } from "./offers.dispatcher.ts";
import { offersInbox } from "./offers.inbox.ts";
import { offersPort } from "./offers.port.ts";
import { registrationsInbox } from "./registrations.inbox.ts";

export interface OffersFederationJobs {
  "offers.backfill": { remoteActorId: number };
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
};

export const offersFederation: FederationModule = {
  name: "offers",
  objects: registerOfferObjects,
  ports: (runtime) => ({ offers: offersPort(runtime) }),
  inbox: [...offersInbox, ...registrationsInbox],
  jobs,
};
