// What the forums module brings to federation: groups as Group actors, posts served as Page and
// Note, the forums' port (the outgoing activities of local changes, following groups elsewhere),
// the inbox routes, and the backfill of followed remote groups.
import type { FederationJobDefinitions, FederationModule } from "../module.ts";
import { backfillGroup, refreshRemoteGroups } from "./follow-groups.ts";
import { followAnswersInbox } from "./follow-answers.ts";
import { forumsPort } from "./forums.port.ts";
import { groupActors } from "./group-actors.ts";
import { likesInbox } from "./likes.ts";
import { localGroupsInbox } from "./local-groups.ts";
import { postAccess, registerForumObjects } from "./objects.ts";
import { federateForums, type FederateJob } from "./outbound.ts";
import { remoteGroupsInbox } from "./remote-groups.ts";

export interface ForumsFederationJobs {
  "forums.federate": FederateJob;
  "forums.backfill": { groupId: string };
  "forums.refreshGroups": Record<string, never>;
}

declare module "../../server/jobs/job-types.ts" {
  interface JobPayloads extends ForumsFederationJobs {}
}

const jobs: FederationJobDefinitions<keyof ForumsFederationJobs> = {
  "forums.federate": {
    spec: { attempts: 5, backoffMs: 10_000, timeoutMs: 60_000 },
    run: (runtime, job) => federateForums(runtime, job),
  },
  // Fetches a remote group's outbox page by page: long, and worth retrying later.
  "forums.backfill": {
    spec: { attempts: 4, backoffMs: 60_000, timeoutMs: 600_000 },
    run: (runtime, job) => backfillGroup(runtime, job.groupId),
  },
  "forums.refreshGroups": {
    spec: { attempts: 1, backoffMs: 60_000, timeoutMs: 600_000 },
    run: async (runtime) => void (await refreshRemoteGroups(runtime)),
  },
};

export const forumsFederation: FederationModule = {
  name: "forums",
  objects: registerForumObjects,
  objectAccess: postAccess,
  actors: groupActors,
  ports: (runtime) => ({ forums: forumsPort(runtime) }),
  inbox: [...localGroupsInbox, ...remoteGroupsInbox, ...likesInbox, ...followAnswersInbox],
  jobs,
  scheduled: [{ job: "forums.refreshGroups", everySeconds: 3600 }],
};
