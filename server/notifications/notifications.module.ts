// Notifications: the centre, its API, and the daily digest mail.
import type { JobDefinitions, Module } from "../modules/module.ts";
import { notificationRoutes, notificationsApi } from "./notifications.routes.ts";
import { sendDigests } from "./notifications.service.ts";

export interface NotificationsJobs {
  "notifications.digest": Record<string, never>;
}

declare module "../jobs/job-types.ts" {
  interface JobPayloads extends NotificationsJobs {}
}

const jobs: JobDefinitions<keyof NotificationsJobs> = {
  "notifications.digest": {
    spec: { attempts: 3, backoffMs: 300_000, timeoutMs: 300_000 },
    async run(ctx) {
      const mails: Promise<void>[] = [];
      await sendDigests(
        ctx.db,
        (type, payload, options) => mails.push(ctx.queue.enqueue(type, payload, options)),
        ctx.i18n,
        ctx.config.publicUrl,
      );
      await Promise.all(mails);
    },
  },
};

export const notificationsModule: Module = {
  name: "notifications",
  routes: notificationRoutes,
  api: notificationsApi,
  jobs,
  scheduled: [{ job: "notifications.digest", everySeconds: 24 * 3600 }],
};
