// Command line: `start` (migrate, then serve and run jobs) and `migrate`.
import { ConfigError, loadConfig, type Config } from "../server/config.ts";
import { openDatabase } from "../server/db/database.ts";
import { migrate } from "../server/db/migrate.ts";
import { startInstance } from "../app/instance.ts";

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

async function runMigrate(): Promise<void> {
  const handle = await openDatabase(config());
  try {
    const applied = await migrate(handle.db);
    process.stdout.write(
      applied.length
        ? `Applied ${applied.map((m) => `${m.version}_${m.name}`).join(", ")}\n`
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
