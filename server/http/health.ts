import express from "express";
import type { AppContext } from "../context.ts";
import { ping } from "../db/database.ts";
import { MIGRATIONS_DIR, pendingMigrations } from "../db/migrate.ts";

export function healthRoutes(ctx: AppContext): express.Router {
  const router = express.Router();
  let migrationsApplied = false;

  router.get("/healthz", (_req, res) => {
    res.json({ status: "ok" });
  });

  router.get("/readyz", async (_req, res) => {
    const database = await ping(ctx.db);
    if (database && !migrationsApplied) {
      migrationsApplied =
        (
          await pendingMigrations(ctx.db, MIGRATIONS_DIR, ctx.modules.migrations()).catch(() => [
            null,
          ])
        ).length === 0;
    }
    const queue = await ctx.queue.ping();
    const ready = database && migrationsApplied && queue;
    // A plugin that could not be loaded does not stop the instance: it is told here.
    const failed = ctx.modules.failures();
    res.status(ready ? 200 : 503).json({
      status: ready ? "ready" : "unavailable",
      checks: {
        database: database ? "ok" : "unreachable",
        migrations: migrationsApplied ? "ok" : "pending",
        queue: queue ? "ok" : "unreachable",
        queueKind: ctx.queue.kind,
        plugins: failed.length === 0 ? "ok" : "failed",
      },
      // Lost connections are replaced on the next query; these say it happened and when.
      databaseConnectionsLost: ctx.dbHealth.connectionsLost,
      ...(ctx.dbHealth.lastLostAt
        ? { databaseLastLostAt: ctx.dbHealth.lastLostAt.toISOString() }
        : {}),
      ...(failed.length > 0 ? { details: { plugins: failed } } : {}),
    });
  });
  return router;
}
