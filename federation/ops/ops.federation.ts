// The operations port: delivery state by peer for metrics, the dashboard and the command line.
import type { FederationModule } from "../module.ts";
import type { FederationRuntime } from "../deps.ts";
import type { FailedDelivery, OpsPort } from "../../server/ops/ops.port.ts";

function opsPort(runtime: FederationRuntime): OpsPort {
  const db = runtime.app.db;
  return {
    async deliveriesByHost() {
      const hosts = await runtime.deliveries.summary();
      return hosts.map(({ host, pending, failing, dead, lastError }) => ({
        host,
        pending,
        failing,
        dead,
        lastError,
      }));
    },
    async failedDeliveries(limit) {
      const rows = await db
        .selectFrom("federation_deliveries")
        .select(["id", "host", "activity_type", "status", "attempts", "last_error", "updated_at"])
        .where("status", "in", ["failing", "dead"])
        .orderBy("updated_at", "desc")
        .limit(limit)
        .execute();
      return rows.map((r): FailedDelivery => ({
        id: r.id,
        host: r.host,
        activityType: r.activity_type,
        status: r.status as FailedDelivery["status"],
        attempts: r.attempts,
        lastError: r.last_error,
        updatedAt: new Date(r.updated_at),
      }));
    },
    async retryDeliveries(host) {
      if (host !== undefined) return runtime.deliveries.retryHost(host);
      let total = 0;
      for (const summary of await runtime.deliveries.summary()) {
        if (summary.failing + summary.dead > 0)
          total += await runtime.deliveries.retryHost(summary.host);
      }
      return total;
    },
  };
}

export const opsFederation: FederationModule = {
  name: "ops",
  ports: (runtime) => ({ ops: opsPort(runtime) }),
};
