// Operations: /metrics, the scheduled backup, and what the admin dashboard shows about the
// running instance (ADR 0090, 0091).
import type { Module } from "../modules/module.ts";
import { metricsRoutes } from "./metrics.routes.ts";

export const opsModule: Module = {
  name: "ops",
  publicRoutes: metricsRoutes,
};
