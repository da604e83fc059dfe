// The offers' jobs: last-minute announcements, reminders, and the sweep that finds offers with
// places again.
import type { JobDefinitions } from "../modules/module.ts";
import { announceLastMinute, sendReminders, sweep } from "./notices.service.ts";
import { bookingDeps } from "./booking.types.ts";

export interface OffersJobs {
  "offers.lastMinute": { offerId: string };
  "offers.reminders": Record<string, never>;
  "offers.sweep": Record<string, never>;
}

declare module "../jobs/job-types.ts" {
  interface JobPayloads extends OffersJobs {}
}

export const offersJobs: JobDefinitions<keyof OffersJobs> = {
  "offers.lastMinute": {
    spec: { attempts: 5, backoffMs: 60_000, timeoutMs: 120_000 },
    async run(ctx, { offerId }) {
      await ctx.transaction((tx) => announceLastMinute(tx, bookingDeps(ctx), offerId));
    },
  },
  "offers.reminders": {
    spec: { attempts: 3, backoffMs: 300_000, timeoutMs: 300_000 },
    async run(ctx) {
      const deps = bookingDeps(ctx);
      // Batches of 500 in their own transactions, until none is due.
      while ((await ctx.transaction((tx) => sendReminders(tx, deps))) === 500);
    },
  },
  "offers.sweep": {
    spec: { attempts: 3, backoffMs: 300_000, timeoutMs: 120_000 },
    async run(ctx) {
      const { announce } = await sweep(ctx.db);
      for (const offerId of announce) await ctx.queue.enqueue("offers.lastMinute", { offerId });
    },
  },
};
