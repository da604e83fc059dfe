// What the admin dashboard shows of the operations status, rounded for reading.
import type { AppContext } from "../context.ts";
import { operationsStatus } from "./status.ts";

export async function dashboardStatus(ctx: AppContext) {
  const status = await operationsStatus(ctx);
  return {
    ...status,
    queueLagRounded:
      status.queueLagSeconds === undefined ? undefined : Math.round(status.queueLagSeconds),
    uploadsMegabytes: Math.round(status.uploadsBytes / 100_000) / 10,
  };
}
