// Builds the app's central tables from the list of modules: the job specs and handlers, the
// periodic tasks, and the web modules in navigation order.
import type { AppContext } from "../server/context.ts";
import type { JobContext, JobHandlers, JobSpec, JobSpecs } from "../server/jobs/job-types.ts";
import type { ScheduledTask } from "../server/jobs/scheduler.ts";
import type { Module } from "../server/modules/module.ts";
import type { FederationRuntime } from "../federation/runtime.ts";
import type { ModuleEntry } from "./modules.ts";

type Run = (payload: never, job: JobContext) => Promise<void>;

interface JobEntry {
  module: string;
  spec: JobSpec;
  bind(ctx: AppContext, runtime: FederationRuntime): Run;
}

function jobEntries(entries: readonly ModuleEntry[]): Map<string, JobEntry> {
  const jobs = new Map<string, JobEntry>();
  const add = (module: string, type: string, entry: Omit<JobEntry, "module">) => {
    const taken = jobs.get(type);
    if (taken) throw new Error(`job type ${type} is declared by ${taken.module} and ${module}`);
    jobs.set(type, { module, ...entry });
  };
  // A job of a plugin switched off does not run: it is dropped with a log line (what it was
  // for is switched off too; its data stays).
  const gated =
    (ctx: AppContext, module: string, type: string, run: Run): Run =>
    async (payload, context) => {
      await ctx.modules.fresh();
      if (ctx.modules.isEnabled(module)) return run(payload, context);
      ctx.log.info({ module, job: type }, "module switched off: job not run");
    };
  for (const { module, federation } of entries) {
    for (const [type, job] of Object.entries(module?.jobs ?? {}))
      add(module!.name, type, {
        spec: job.spec,
        bind: (ctx, runtime) =>
          gated(ctx, module!.name, type, (payload, context) =>
            runtime.withOutgoing(() => job.run(ctx, payload as never, context)),
          ),
      });
    for (const [type, job] of Object.entries(federation?.jobs ?? {}))
      add(federation!.name, type, {
        spec: job.spec,
        bind: (ctx, runtime) =>
          gated(ctx, federation!.name, type, (payload, context) =>
            runtime.withOutgoing(() => job.run(runtime, payload as never, context)),
          ),
      });
  }
  return jobs;
}

export function jobSpecs(entries: readonly ModuleEntry[]): JobSpecs {
  return Object.fromEntries(
    [...jobEntries(entries)].map(([type, { spec }]) => [type, spec]),
  ) as unknown as JobSpecs;
}

export function jobHandlers(
  entries: readonly ModuleEntry[],
  ctx: AppContext,
  runtime: FederationRuntime,
): JobHandlers {
  return Object.fromEntries(
    [...jobEntries(entries)].map(([type, job]) => [type, job.bind(ctx, runtime)]),
  ) as unknown as JobHandlers;
}

/** Each tick only enqueues the job, so retries and timeouts stay the queue's; the tasks of a
 * plugin switched off are skipped. */
export function scheduledTasks(entries: readonly ModuleEntry[], ctx: AppContext): ScheduledTask[] {
  return entries.flatMap(({ module, federation }) =>
    [
      ...(module?.scheduled ?? []).map((task) => ({ task, name: module!.name })),
      ...(federation?.scheduled ?? []).map((task) => ({ task, name: federation!.name })),
    ].map(({ task: { job, everySeconds }, name }) => ({
      name: job,
      everySeconds,
      enabled: () => ctx.modules.isEnabled(name),
      run: () => ctx.queue.enqueue(job, {}),
    })),
  );
}

/** The modules the web app mounts, in list order; federation pages take their module's place. */
export function webModules(entries: readonly ModuleEntry[], runtime: FederationRuntime): Module[] {
  return entries.flatMap(({ module, federation }) => [
    ...(module ? [module] : []),
    ...(federation?.web ? [federation.web(runtime)] : []),
  ]);
}

/** Puts every federation module's port implementation in `ctx.ports`. */
export function injectPorts(
  entries: readonly ModuleEntry[],
  ctx: AppContext,
  runtime: FederationRuntime,
): void {
  for (const { federation } of entries) Object.assign(ctx.ports, federation?.ports?.(runtime));
}
