// Personal data (RGPD): "Download my data", account deletion federated to the instances that knew
// the member, the retention of registrations, and the admin's record of processing. ADR 0096.
import type { JobDefinitions, Module } from "../modules/module.ts";
import { buildExport, pruneExports } from "./export.service.ts";
import { privacyRoutes } from "./privacy.routes.ts";
import { purgeRegistrations } from "./retention.service.ts";
import "./privacy.tables.ts";

export interface PrivacyJobs {
  "privacy.export": { exportId: string };
  "privacy.retention": Record<string, never>;
}

declare module "../jobs/job-types.ts" {
  interface JobPayloads extends PrivacyJobs {}
}

const jobs: JobDefinitions<keyof PrivacyJobs> = {
  "privacy.export": {
    spec: { attempts: 3, backoffMs: 30_000, timeoutMs: 10 * 60_000 },
    async run(ctx, { exportId }, job) {
      try {
        await buildExport(ctx.db, exportId, job.signal);
      } catch (error) {
        if (job.attempt >= 3)
          await ctx.db
            .updateTable("data_exports")
            .set({ status: "failed" })
            .where("id", "=", exportId)
            .execute();
        throw error;
      }
    },
  },
  "privacy.retention": {
    spec: { attempts: 3, backoffMs: 300_000, timeoutMs: 600_000 },
    async run(ctx) {
      await pruneExports(ctx.db);
      while ((await purgeRegistrations(ctx.db)) > 0);
    },
  },
};

export const privacyModule: Module = {
  name: "privacy",
  adminNav: [{ href: "/admin/privacy", label: "privacy:record.title", key: "privacy" }],
  routes: privacyRoutes,
  jobs,
  scheduled: [{ job: "privacy.retention", everySeconds: 3600 }],
};
