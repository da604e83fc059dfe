// Operations: /metrics, the scheduled backup, and what the admin dashboard shows about the
// running instance (ADR 0090, 0091).
import type { JobDefinitions, Module } from "../modules/module.ts";
import { scheduledBackup } from "./backup.ts";
import { metricsRoutes } from "./metrics.routes.ts";

export interface OpsJobs {
  "ops.backup": Record<string, never>;
}

declare module "../jobs/job-types.ts" {
  interface JobPayloads extends OpsJobs {}
}

const jobs: JobDefinitions<keyof OpsJobs> = {
  // Hourly; it takes a backup only when the newest is BACKUP_EVERY_HOURS old (0: never).
  "ops.backup": {
    spec: { attempts: 1, backoffMs: 60_000, timeoutMs: 3600_000 },
    async run(ctx) {
      const written = await scheduledBackup(ctx);
      if (written) ctx.log.info({ path: written }, "scheduled backup written");
    },
  },
};

export const opsModule: Module = {
  name: "ops",
  publicRoutes: metricsRoutes,
  jobs,
  scheduled: [{ job: "ops.backup", everySeconds: 3600 }],
};
