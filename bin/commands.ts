// The commands behind bin/maillage.ts: `start` (migrate, then serve and run jobs), `migrate`,
// and the operators' commands of app/cli.ts (accounts, deliveries, backups, configuration).
import cluster from "node:cluster";
import readline from "node:readline";
import { runWebCluster } from "../app/cluster.ts";
import { ConfigError, loadConfig, type Config } from "../server/config.ts";
import { openDatabase } from "../server/db/database.ts";
import { DatabaseNewerError, migrate, MIGRATIONS_DIR } from "../server/db/migrate.ts";
import { startInstance } from "../app/instance.ts";
import { MODULES } from "../app/modules.ts";
import { coreInfos, loadPlugins, PLUGINS_DIR } from "../app/plugins.ts";
import { ModuleRegistry } from "../server/modules/registry.ts";
import pino from "pino";
import { COMMANDS as OPERATOR_COMMANDS, isOperatorError, UsageError, type Io } from "../app/cli.ts";
import { takeBackup } from "../server/ops/backup.ts";

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
    const plugins = await loadPlugins([PLUGINS_DIR], MODULES);
    const modules = new ModuleRegistry(
      handle.db,
      pino({ level: settings.logLevel }),
      settings.plugins,
      [...coreInfos(MODULES), ...plugins.infos],
    );
    // On a database not migrated yet, no plugin was switched: their manifests decide.
    await modules.refresh().catch(() => {});
    // One transaction under the lock, so that concurrent runs never share the work.
    const applied = await migrate(handle.db, MIGRATIONS_DIR, modules.migrations());
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
  const settings = config();
  if (settings.webProcesses > 1 && cluster.isPrimary)
    return runWebCluster(settings.webProcesses, pino({ level: settings.logLevel }));
  const instance = await startInstance(settings);
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
  // `maillage backup` asks an embedded instance to copy its own database (app/cli.ts).
  if (instance.ctx.dbKind === "pglite") {
    process.on("SIGUSR2", () => {
      takeBackup(instance.ctx).then(
        ({ path }) => instance.ctx.log.info({ path }, "backup written"),
        (error: unknown) => instance.ctx.log.error({ err: error }, "backup failed"),
      );
    });
  }
  process.once("SIGTERM", () => shutdown("SIGTERM"));
  process.once("SIGINT", () => shutdown("SIGINT"));
}

const io: Io = {
  out: (line) => process.stdout.write(`${line}\n`),
  async readLine() {
    const lines = readline.createInterface({ input: process.stdin, terminal: false });
    for await (const line of lines) {
      lines.close();
      return line;
    }
    return "";
  },
};

const command = process.argv[2] ?? "start";
const commands: Record<string, () => Promise<void>> = {
  start: runStart,
  migrate: runMigrate,
  ...Object.fromEntries(
    Object.entries(OPERATOR_COMMANDS).map(([name, run]) => [
      name,
      () => run(config(), process.argv.slice(3), io),
    ]),
  ),
};
const run = commands[command];
if (!run) {
  process.stderr.write(`Unknown command ${command}. Use: ${Object.keys(commands).join(", ")}\n`);
  process.exit(2);
}
// A command whose work is left waiting on nothing (a lost promise) would end with status 0 and
// no word: say so and fail instead. `start` keeps running on its server and timers.
let finished = false;
process.on("exit", (code) => {
  if (code === 0 && !finished && command !== "start") {
    process.stderr.write(`${command} stopped before finishing\n`);
    process.exitCode = 1;
  }
});
run().then(
  () => {
    finished = true;
  },
  (error: unknown) => {
    // Expected failures say what to do in one line; anything else keeps its stack.
    if (isOperatorError(error) || error instanceof DatabaseNewerError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(error instanceof UsageError ? 2 : 1);
    }
    process.stderr.write(
      `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
