// The composition root: boots one instance from the list of modules — database and
// migrations, first admin, federation runtime and ports, web server and/or job worker.
import http from "node:http";
import type { AddressInfo } from "node:net";
import type { Config } from "../server/config.ts";
import { createContext, type AppContext, type ContextOptions } from "../server/context.ts";
import { createApp } from "../server/http/app.ts";
import { adminExists, ensureFirstAdmin } from "../server/accounts/accounts.service.ts";
import { startScheduler, type Scheduler } from "../server/jobs/scheduler.ts";
import { DatabaseQueue } from "../server/jobs/db-queue.ts";
import { createFederationRuntime, type FederationRuntime } from "../federation/runtime.ts";
import { injectPorts, jobHandlers, jobSpecs, scheduledTasks, webModules } from "./assemble.ts";
import { MODULES, type ModuleEntry } from "./modules.ts";
import { coreInfos, loadPlugins, PLUGINS_DIR } from "./plugins.ts";
import { instrumentJobs, instrumentServer, metricsOf } from "../server/ops/metrics.ts";
import { startMetricsServer } from "../server/ops/metrics.routes.ts";

export interface RunningInstance {
  ctx: AppContext;
  /** This instance's federation (tests sign and fetch with it). */
  federation: FederationRuntime;
  server: http.Server | undefined;
  /** The periodic tasks (absent in a web-only process); tests tick it. */
  scheduler: Scheduler | undefined;
  /** The address the server listens on (tests bind port 0). */
  url: string | undefined;
  stop(): Promise<void>;
}

/**
 * The instance's federation, its ports put in `ctx.ports`; the inbox routes of a plugin switched
 * off are skipped.
 */
export async function federate(
  ctx: AppContext,
  modules: readonly ModuleEntry[] = MODULES,
): Promise<FederationRuntime> {
  const runtime = await createFederationRuntime(
    ctx,
    modules.flatMap((m) => (m.federation ? [m.federation] : [])),
    { isEnabled: (name) => ctx.modules.isEnabled(name) },
  );
  injectPorts(modules, ctx, runtime);
  return runtime;
}

export interface InstanceOptions extends Omit<ContextOptions, "jobSpecs" | "modules" | "viewDirs"> {
  /** Folders of plugins (plugins/ by default; tests add theirs). */
  pluginDirs?: readonly string[];
}

export async function startInstance(
  config: Config,
  { pluginDirs = [PLUGINS_DIR], ...options }: InstanceOptions = {},
): Promise<RunningInstance> {
  const plugins = await loadPlugins(pluginDirs, MODULES);
  const modules = [...MODULES, ...plugins.entries];
  const ctx = await createContext(config, {
    ...options,
    jobSpecs: jobSpecs(modules),
    modules: [...coreInfos(MODULES), ...plugins.infos],
    viewDirs: modules.flatMap((m) => (m.module?.views ? [m.module.views] : [])),
  });
  if (config.admin) {
    const admin = config.admin;
    const created = await ctx.transaction((tx) => ensureFirstAdmin(tx, admin));
    if (created) ctx.log.info({ email: created.email }, "first admin created from ADMIN_EMAIL");
  }

  const federation = await federate(ctx, modules);

  let scheduler: Scheduler | undefined;
  if (config.role !== "web") {
    // Embedded mode has a single process: jobs it was running when it died are orphans.
    if (ctx.queue instanceof DatabaseQueue && ctx.dbKind === "pglite")
      await ctx.queue.releaseOrphans();
    ctx.queue.start(instrumentJobs(jobHandlers(modules, ctx, federation), metricsOf(ctx)));
    federation.startQueue();
    scheduler = startScheduler(ctx, scheduledTasks(modules, ctx));
  }

  let server: http.Server | undefined;
  let url: string | undefined;
  if (config.role !== "worker") {
    const { app } = await createApp(ctx, webModules(modules, federation), {
      federation: federation.middleware,
    });
    // A request's outgoing fetches (a remote actor looked up from a page) leave through the
    // instance's guarded agent, like its jobs'.
    server = http.createServer((req, res) => federation.withOutgoing(() => app(req, res)));
    instrumentServer(server, metricsOf(ctx));
    server.keepAliveTimeout = 5000;
    await new Promise<void>((resolve, reject) => {
      server!.once("error", reject);
      server!.listen(config.port, config.host, () => resolve());
    });
    const address = server.address() as AddressInfo;
    url = `http://${address.family === "IPv6" ? `[${address.address}]` : address.address === "0.0.0.0" ? "127.0.0.1" : address.address}:${address.port}`;
    ctx.log.info(
      { url, publicUrl: config.publicUrl.href, database: ctx.dbKind, queue: ctx.queue.kind },
      "Maillage is listening",
    );
  }
  // The last boot line is the one to act on: where to go, and first of all /setup.
  if (server) {
    if (await adminExists(ctx.db))
      ctx.log.info(`Ready: open ${config.publicUrl.href} in a browser`);
    else
      ctx.log.info(
        `Ready. No administrator yet: open ${new URL("/setup", config.publicUrl).href} to create one`,
      );
  }

  // A worker has no web server; METRICS_PORT gives it one for /metrics alone.
  const metricsServer =
    config.role === "worker" && config.metrics.port
      ? await startMetricsServer(ctx, config.metrics.port)
      : undefined;

  let stopping: Promise<void> | undefined;
  return {
    ctx,
    federation,
    server,
    scheduler,
    url,
    stop() {
      stopping ??= (async () => {
        scheduler?.stop();
        federation.stop();
        metricsServer?.close();
        if (server) {
          // Stop accepting, let in-flight requests finish, drop idle keep-alive sockets.
          const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
          server.closeIdleConnections();
          await closed;
        }
        await ctx.close();
      })();
      return stopping;
    },
  };
}
