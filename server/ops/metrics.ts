// Prometheus metrics of one process (ADR 0090). Each instance has its own registry — tests run
// several instances in one process — kept beside its context rather than in it.
import type http from "node:http";
import type express from "express";
import client from "prom-client";
import type { AppContext } from "../context.ts";
import { driverOf } from "../db/database.ts";
import type { JobHandlers } from "../jobs/job-types.ts";
import { operationsStatus } from "./status.ts";

export interface Metrics {
  registry: client.Registry;
  httpRequests: client.Counter<"method" | "route" | "status">;
  httpDuration: client.Histogram<"method" | "route">;
  jobAttempts: client.Counter<"type" | "outcome">;
  jobDuration: client.Histogram<"type">;
}

const byContext = new WeakMap<AppContext, Metrics>();

export function metricsOf(ctx: AppContext): Metrics {
  let metrics = byContext.get(ctx);
  if (!metrics) {
    metrics = createMetrics(ctx);
    byContext.set(ctx, metrics);
  }
  return metrics;
}

function createMetrics(ctx: AppContext): Metrics {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry, prefix: "maillage_" });
  const registers = [registry];

  const httpRequests = new client.Counter({
    name: "maillage_http_requests_total",
    help: "HTTP requests answered, by route pattern and status",
    labelNames: ["method", "route", "status"] as const,
    registers,
  });
  const httpDuration = new client.Histogram({
    name: "maillage_http_request_duration_seconds",
    help: "Time to answer an HTTP request, by route pattern",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  const jobAttempts = new client.Counter({
    name: "maillage_job_attempts_total",
    help: "Job tries run by this process, by type and outcome (done or failed)",
    labelNames: ["type", "outcome"] as const,
    registers,
  });
  const jobDuration = new client.Histogram({
    name: "maillage_job_duration_seconds",
    help: "Time a job try took, by type",
    labelNames: ["type"] as const,
    buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
    registers,
  });

  // Values read from the database or the queue when Prometheus scrapes.
  new client.Gauge({
    name: "maillage_jobs",
    help: "Jobs in the queue, by state",
    labelNames: ["state"] as const,
    registers,
    async collect() {
      const stats = await ctx.queue.stats().catch(() => undefined);
      if (!stats) return;
      for (const [state, count] of Object.entries(stats)) this.set({ state }, count);
    },
  });
  new client.Gauge({
    name: "maillage_job_queue_lag_seconds",
    help: "Age of the oldest job waiting to run (0 when none waits)",
    registers,
    async collect() {
      const status = await operationsStatus(ctx, { cheap: true });
      if (status.queueLagSeconds !== undefined) this.set(status.queueLagSeconds);
    },
  });
  new client.Gauge({
    name: "maillage_deliveries",
    help: "Outgoing federation deliveries not yet delivered, by peer host and state",
    labelNames: ["host", "state"] as const,
    registers,
    async collect() {
      this.reset();
      const hosts = await ctx.ports.ops?.deliveriesByHost().catch(() => []);
      for (const h of hosts ?? []) {
        this.set({ host: h.host, state: "pending" }, h.pending);
        this.set({ host: h.host, state: "failing" }, h.failing);
        this.set({ host: h.host, state: "dead" }, h.dead);
      }
    },
  });
  new client.Gauge({
    name: "maillage_db_pool_connections",
    help: "PostgreSQL connections of this process's pool, by state (total, idle, waiting)",
    labelNames: ["state"] as const,
    registers,
    collect() {
      const pool = driverOf(ctx.db).pool;
      if (!pool) return;
      this.set({ state: "total" }, pool.totalCount);
      this.set({ state: "idle" }, pool.idleCount);
      this.set({ state: "waiting" }, pool.waitingCount);
    },
  });
  new client.Gauge({
    name: "maillage_last_backup_timestamp_seconds",
    help: "When the newest backup in BACKUP_DIR was taken (absent when there is none)",
    registers,
    async collect() {
      const status = await operationsStatus(ctx, { cheap: true });
      if (status.lastBackup) this.set(status.lastBackup.createdAt.getTime() / 1000);
    },
  });
  return { registry, httpRequests, httpDuration, jobAttempts, jobDuration };
}

/**
 * The route pattern of a request, not its path, so that labels stay few: Express leaves the
 * matched route on the request. Requests no route took (static files, federation) get a coarse
 * label.
 */
export function routeLabel(req: http.IncomingMessage): string {
  const request = req as Partial<express.Request>;
  const route = request.route as { path?: unknown } | undefined;
  if (route && typeof route.path === "string") return `${request.baseUrl ?? ""}${route.path}`;
  const url = req.url ?? "/";
  if (url.startsWith("/static/")) return "/static/*";
  if (url.startsWith("/.well-known/")) return "/.well-known/*";
  return "other";
}

/** Counts and times every request the server answers (the server's own event, so app.ts stays as it is). */
export function instrumentServer(server: http.Server, metrics: Metrics): void {
  server.on("request", (req: http.IncomingMessage, res: http.ServerResponse) => {
    const end = metrics.httpDuration.startTimer();
    res.once("finish", () => {
      const labels = { method: req.method ?? "GET", route: routeLabel(req) };
      end(labels);
      metrics.httpRequests.inc({ ...labels, status: String(res.statusCode) });
    });
  });
}

/** Wraps every job handler to count its tries and time them. */
export function instrumentJobs(handlers: JobHandlers, metrics: Metrics): JobHandlers {
  const wrapped: Record<string, unknown> = {};
  for (const [type, handler] of Object.entries(handlers) as [
    string,
    (payload: unknown, job: unknown) => Promise<void>,
  ][]) {
    wrapped[type] = async (payload: unknown, job: unknown) => {
      const end = metrics.jobDuration.startTimer({ type });
      try {
        await handler(payload, job);
        metrics.jobAttempts.inc({ type, outcome: "done" });
      } catch (error) {
        metrics.jobAttempts.inc({ type, outcome: "failed" });
        throw error;
      } finally {
        end();
      }
    };
  }
  return wrapped as unknown as JobHandlers;
}
