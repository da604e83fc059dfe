// Periodic tasks for worker processes. Each task has a row in `schedules`; the worker whose
// UPDATE moves the next run forward enqueues the tick, so several workers never double it.
import type { AppContext } from "../context.ts";
import { claimSchedule } from "../notifications/notifications.repo.ts";

export interface ScheduledTask {
  name: string;
  everySeconds: number;
  run(): Promise<void>;
}

const TICK_MS = 30_000;

export function startScheduler(ctx: AppContext, tasks: ScheduledTask[]): () => void {
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      for (const task of tasks) {
        if (await claimSchedule(ctx.db, task.name, task.everySeconds)) await task.run();
      }
    } catch (error) {
      ctx.log.warn({ err: error }, "scheduler tick failed");
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), TICK_MS);
  timer.unref();
  void tick();
  return () => clearInterval(timer);
}
