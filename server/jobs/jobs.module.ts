// The job queue's own upkeep: finished jobs are pruned every hour.
import type { JobDefinitions, Module } from "../modules/module.ts";
import { pruneFinishedJobs } from "./maintenance.ts";

const jobs: JobDefinitions<"maintenance.prune"> = {
  "maintenance.prune": {
    spec: { attempts: 1, backoffMs: 60_000, timeoutMs: 120_000 },
    run: (ctx) => pruneFinishedJobs(ctx.db),
  },
};

export const jobsModule: Module = {
  name: "jobs",
  jobs,
  scheduled: [{ job: "maintenance.prune", everySeconds: 3600 }],
};
