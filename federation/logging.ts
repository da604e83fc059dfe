// Fedify logs through LogTape, which stays silent until configured. Its warnings (refused
// signatures, failed deliveries) go to our pino logger. LogTape's configuration is per process:
// the first instance started in a process sets it.
import { AsyncLocalStorage } from "node:async_hooks";
import { configureSync, getConfig, type LogRecord } from "@logtape/logtape";
import type { Logger } from "pino";

function text(record: LogRecord): string {
  return record.message
    .map((part) => (typeof part === "string" ? part : JSON.stringify(part)))
    .join("")
    .slice(0, 1000);
}

export function routeFedifyLogs(log: Logger): void {
  if (getConfig() !== null) return;
  const verbose = log.level === "debug" || log.level === "trace";
  configureSync({
    contextLocalStorage: new AsyncLocalStorage(),
    sinks: {
      pino(record: LogRecord) {
        const fields = { category: record.category.join("·") };
        if (record.level === "error" || record.level === "fatal") log.error(fields, text(record));
        else if (record.level === "warning") log.warn(fields, text(record));
        else log.debug(fields, text(record));
      },
    },
    loggers: [
      { category: "fedify", lowestLevel: verbose ? "debug" : "warning", sinks: ["pino"] },
      // Every 4xx answer (a browser asking an actor URL for HTML gets 406) is a warning there.
      { category: ["fedify", "federation", "http"], lowestLevel: verbose ? "debug" : "error" },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["pino"] },
    ],
  });
}
