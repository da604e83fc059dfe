// Periodic tasks for worker processes. Each task has a row in `schedules`; the worker whose
// UPDATE moves the next run forward enqueues the tick, so several workers never double it.
import type { AppContext } from "../context.ts";
import { claimSchedule } from "../notifications/notifications.repo.ts";

export interface ScheduledTask {
  name: string;
  everySeconds: number;
  /** False while its module is switched off: the task is not claimed nor run. */
  enabled?(): boolean;
  run(): Promise<void>;
}

export interface Scheduler {
  stop(): void;
  /** Runs the tasks that are due now (the worker does it every 30 s). */
  tick(): Promise<void>;
}

const TICK_MS = 30_000;

export function startScheduler(ctx: AppContext, tasks: ScheduledTask[]): Scheduler {
  let busy = false;
  const once = async () => {
    busy = true;
    try {
      await ctx.modules.fresh();
      for (const task of tasks) {
        if (task.enabled && !task.enabled()) continue;
        if (await claimSchedule(ctx.db, task.name, task.everySeconds)) await task.run();
      }
    } catch (error) {
      ctx.log.warn({ err: error }, "scheduler tick failed");
    } finally {
      busy = false;
    }
  };
  // Ticks never overlap: one asked for while another runs waits for it.
  let last: Promise<void> = Promise.resolve();
  const tick = () => (last = last.then(once));
  const timer = setInterval(() => {
    if (!busy) void tick();
  }, TICK_MS);
  timer.unref();
  void tick();
  return { stop: () => clearInterval(timer), tick };
}
