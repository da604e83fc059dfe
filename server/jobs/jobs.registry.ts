// The exhaustive map from job type to handler: a type without a handler does not compile.
import type { AppContext } from "../context.ts";
import { backfillGroup } from "../../federation/forums/follow-groups.ts";
import { federateForums } from "../../federation/forums/outbound.ts";
import { federationOf } from "../../federation/runtime.ts";
import { backfillOffers } from "../../federation/offers/backfill.ts";
import { renderMail } from "../mail/mailer.ts";
import { sendDigests } from "../notifications/notifications.service.ts";
import { notifyPost } from "../forums/notify.service.ts";
import { offerJobHandlers, offerScheduledTasks } from "../offers/offers.jobs.ts";
import type { JobHandlers } from "./job-types.ts";
import { pruneFinishedJobs } from "./maintenance.ts";
import type { ScheduledTask } from "./scheduler.ts";

export function jobHandlers(ctx: AppContext): JobHandlers {
  return {
    async "mail.send"(job, { signal }) {
      const { name } = await ctx.settings.get();
      await ctx.mailer.send(renderMail(ctx.i18n, job, name), signal);
    },
    async "maintenance.prune"() {
      await pruneFinishedJobs(ctx.db);
    },
    async "notifications.digest"() {
      const mails: Promise<void>[] = [];
      await sendDigests(
        ctx.db,
        (type, payload, options) => mails.push(ctx.queue.enqueue(type, payload, options)),
        ctx.i18n,
        ctx.config.publicUrl,
      );
      await Promise.all(mails);
    },
    "federation.publish": (job) => federationOf(ctx).jobs.publish(job.outboxId),
    "federation.deliver": (job) => federationOf(ctx).jobs.deliver(job.deliveryId, job.attempt),
    "federation.inbox": (job) => federationOf(ctx).jobs.inbox(job.message),
    "federation.sweep": () => federationOf(ctx).jobs.sweep(),
    "offers.backfill": async (job) => void (await backfillOffers(ctx, job.remoteActorId)),
    async "forums.notify"({ postId }) {
      await ctx.transaction((tx) => notifyPost(tx, ctx.config.publicUrl, postId));
    },
    "forums.federate": (job) => federateForums(ctx, job),
    "forums.backfill": (job) => backfillGroup(federationOf(ctx), job.groupId),
    ...offerJobHandlers(ctx),
  };
}

/** Periodic work; each tick only enqueues a job, so retries and timeouts stay the queue's. */
export function scheduledTasks(ctx: AppContext): ScheduledTask[] {
  const every = (name: string, everySeconds: number, run: () => Promise<void>): ScheduledTask => ({
    name,
    everySeconds,
    run,
  });
  return [
    every("maintenance.prune", 3600, () => ctx.queue.enqueue("maintenance.prune", {})),
    every("notifications.digest", 24 * 3600, () => ctx.queue.enqueue("notifications.digest", {})),
    every("federation.sweep", 300, () => ctx.queue.enqueue("federation.sweep", {})),
    ...offerScheduledTasks(ctx),
  ];
}
