// Member import: the CMCAS's members list from a CSV file (admin pages, a job with progress,
// invitations mailed in batches). ADR 0095.
import type { JobDefinitions, Module } from "../modules/module.ts";
import { membersImportRoutes } from "./members-import.routes.ts";
import { failImport, inviteBatch, runImport } from "./members-import.service.ts";
import "./members-import.tables.ts";

export interface MembersImportJobs {
  "members.import": { importId: string };
  "members.invite": { importId: string };
}

declare module "../jobs/job-types.ts" {
  interface JobPayloads extends MembersImportJobs {}
}

const jobs: JobDefinitions<keyof MembersImportJobs> = {
  "members.import": {
    // A retry starts again from the first line: lines already applied come out unchanged.
    spec: { attempts: 3, backoffMs: 30_000, timeoutMs: 30 * 60_000 },
    async run(ctx, { importId }, job) {
      try {
        await runImport(ctx.db, (work) => ctx.transaction(work), importId, job.signal);
      } catch (error) {
        if (job.attempt >= 3) await failImport(ctx.db, importId, String(error));
        throw error;
      }
    },
  },
  "members.invite": {
    spec: { attempts: 5, backoffMs: 60_000, timeoutMs: 120_000 },
    async run(ctx, { importId }) {
      await ctx.transaction((tx) => inviteBatch(tx, importId, ctx.config.publicUrl));
    },
  },
};

export const membersImportModule: Module = {
  name: "members-import",
  adminNav: [
    { href: "/admin/members/import", label: "members-import:title", key: "members-import" },
  ],
  routes: membersImportRoutes,
  jobs,
};
