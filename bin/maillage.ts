// Command line: `start` (migrate, then serve and run jobs) and `migrate`.
import { ConfigError, loadConfig, type Config } from "../server/config.ts";
import { openDatabase } from "../server/db/database.ts";
import { migrate } from "../server/db/migrate.ts";
import { startInstance } from "../app/instance.ts";
import { MODULES } from "../app/modules.ts";
import { coreInfos, loadPlugins, PLUGINS_DIR } from "../app/plugins.ts";
import { ModuleRegistry } from "../server/modules/registry.ts";
import pino from "pino";

const SHUTDOWN_GRACE_MS = 25_000;

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/** The core's migrations, then those of the modules and plugins that are on. */
async function runMigrate(): Promise<void> {
  const settings = config();
  const handle = await openDatabase(settings);
  try {
    const applied = await migrate(handle.db);
    const plugins = await loadPlugins([PLUGINS_DIR], MODULES);
    const modules = new ModuleRegistry(
      handle.db,
      pino({ level: settings.logLevel }),
      settings.plugins,
      [...coreInfos(MODULES), ...plugins.infos],
    );
    await modules.refresh();
    applied.push(...(await migrate(handle.db, null, modules.migrations())));
    for (const failure of modules.failures())
      process.stderr.write(`Plugin ${failure.name} not loaded: ${failure.error}\n`);
    process.stdout.write(
      applied.length
        ? `Applied ${applied.map((m) => `${m.module ? `${m.module}/` : ""}${m.version}_${m.name}`).join(", ")}\n`
        : "Database is up to date\n",
    );
  } finally {
    await handle.close();
  }
}

async function runStart(): Promise<void> {
  const instance = await startInstance(config());
  const shutdown = (signal: string) => {
    instance.ctx.log.info({ signal }, "shutting down");
    const force = setTimeout(() => {
      instance.ctx.log.error("shutdown took too long, exiting");
      process.exit(1);
    }, SHUTDOWN_GRACE_MS);
    force.unref();
    instance.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        instance.ctx.log.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

const command = process.argv[2] ?? "start";
const commands: Record<string, () => Promise<void>> = { start: runStart, migrate: runMigrate };
const run = commands[command];
if (!run) {
  process.stderr.write(`Unknown command ${command}. Use: start, migrate\n`);
  process.exit(2);
}
run().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
