// Job handlers and periodic tasks of offers, plugged into server/jobs/jobs.registry.ts.
import type { AppContext } from "../context.ts";
import type { JobHandler, JobPayloads } from "../jobs/job-types.ts";
import type { ScheduledTask } from "../jobs/scheduler.ts";
import { announceLastMinute, sendReminders, sweep } from "./notices.service.ts";

type OfferJobs = {
  [K in "offers.lastMinute" | "offers.reminders" | "offers.sweep"]: JobHandler<JobPayloads[K]>;
};

export function offerJobHandlers(ctx: AppContext): OfferJobs {
  const deps = { publicUrl: ctx.config.publicUrl };
  return {
    async "offers.lastMinute"({ offerId }) {
      await ctx.transaction((tx) => announceLastMinute(tx, deps, offerId));
    },
    async "offers.reminders"() {
      // Batches of 500 in their own transactions, until none is due.
      while ((await ctx.transaction((tx) => sendReminders(tx, deps))) === 500);
    },
    async "offers.sweep"() {
      const { announce } = await sweep(ctx.db);
      for (const offerId of announce) await ctx.queue.enqueue("offers.lastMinute", { offerId });
    },
  };
}

export function offerScheduledTasks(ctx: AppContext): ScheduledTask[] {
  return [
    {
      name: "offers.reminders",
      everySeconds: 3600,
      run: () => ctx.queue.enqueue("offers.reminders", {}),
    },
    { name: "offers.sweep", everySeconds: 900, run: () => ctx.queue.enqueue("offers.sweep", {}) },
  ];
}
