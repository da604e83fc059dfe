// What the tutorials module brings to federation: tutorials served as Articles at their URL, the
// port through which published, edited and withdrawn tutorials reach the CMCAS's followers, the
// inbox routes keeping the tutorials of the CMCAS we follow and receiving what other instances'
// members do with ours (comments, made-it posts, useful votes), and the backfill of a followed
// CMCAS's tutorials from its outbox; and the albums of offers across instances (albums.ts).
import type { FederationJobDefinitions, FederationModule } from "../module.ts";
import { backfillTutorials } from "./backfill.ts";
import { registerTutorialObjects } from "./tutorials.dispatcher.ts";
import { tutorialsPort } from "./tutorials.port.ts";
import { tutorialsInbox } from "./tutorials.inbox.ts";
import { interactionsInbox } from "./interactions.inbox.ts";
import { albumsInbox } from "./albums.ts";
import { albumRelayInbox } from "./album-relay.ts";

export interface TutorialsFederationJobs {
  "tutorials.backfill": { remoteActorId: number };
}

declare module "../../server/jobs/job-types.ts" {
  interface JobPayloads extends TutorialsFederationJobs {}
}

const jobs: FederationJobDefinitions<keyof TutorialsFederationJobs> = {
  // Retried while our Follow's Accept is not recorded yet, and when the publisher is down.
  "tutorials.backfill": {
    spec: { attempts: 8, backoffMs: 2_000, timeoutMs: 300_000 },
    run: async (runtime, job) => void (await backfillTutorials(runtime, job.remoteActorId)),
  },
};

export const tutorialsFederation: FederationModule = {
  name: "tutorials",
  objects: registerTutorialObjects,
  ports: (runtime) => ({ tutorials: tutorialsPort(runtime) }),
  inbox: [...tutorialsInbox, ...interactionsInbox, ...albumsInbox, ...albumRelayInbox],
  jobs,
};
