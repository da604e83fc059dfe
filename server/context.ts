// The composition root: every long-lived dependency of one running instance, built once at boot
// and handed to routes, services and job handlers.
import type { i18n } from "i18next";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createLogger } from "./lib/log.ts";
import type { Config } from "./config.ts";
import { openDatabase, type DatabaseHealth, type Db } from "./db/database.ts";
import { inTransaction, type Tx } from "./db/transaction.ts";
import { createI18n } from "./i18n/i18n.ts";
import { DatabaseQueue } from "./jobs/db-queue.ts";
import type { JobQueue } from "./jobs/queue.ts";
import type { JobSpecs } from "./jobs/job-types.ts";
import type { FederationPorts } from "./ports.ts";
import { openModules, type ModuleInfo, type ModuleRegistry } from "./modules/registry.ts";
import { FragmentCache } from "./lib/fragment-cache.ts";
import { createMailer, type Mailer } from "./mail/mailer.ts";
import { ensureInstanceSettings, SettingsCache } from "./instance/instance.service.ts";
import {
  DatabaseSessionStore,
  RedisSessionStore,
  type SessionStore,
} from "./http/session-stores.ts";

export interface AppContext {
  config: Config;
  log: Logger;
  db: Db;
  dbKind: "postgres" | "pglite";
  /** Connections to PostgreSQL lost since boot, for /readyz. */
  dbHealth: DatabaseHealth;
  redis: Redis | undefined;
  queue: JobQueue;
  mailer: Mailer;
  i18n: i18n;
  settings: SettingsCache;
  /** Rendered offer cards and other pieces of pages, kept by their content (ADR 0158). */
  fragments: FragmentCache;
  sessions: SessionStore;
  /**
   * What the domains need from federation, one port per domain (server/ports.ts). The composition
   * root (app/instance.ts) fills it once the federation runtime is built, before any request or
   * job runs.
   */
  ports: FederationPorts;
  /** The instance's modules and plugins: which are on, their settings, the slots they fill. */
  modules: ModuleRegistry;
  /** Runs work in a transaction that writes its jobs (they start once it has committed). */
  transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ContextOptions {
  /** The retry policy of every job type, assembled from the modules. */
  jobSpecs: JobSpecs;
  /** The modules and plugins (their migrations folders, settings, load errors). */
  modules?: readonly ModuleInfo[];
  /** Views folders of modules that live outside views/ (their message catalogues too). */
  viewDirs?: readonly string[];
  /** Tests use an in-memory PGlite; production always has a DATA_DIR or DATABASE_URL. */
  pgliteMemory?: boolean;
  /** Tests: the in-memory PGlite starts from this freshly initialised data folder. */
  pgliteImage?: Blob;
  logger?: Logger;
  migrate?: boolean;
}

// ioredis and BullMQ are loaded only with REDIS_URL: an embedded instance's start skips them.
async function connectRedis(url: string, log: Logger): Promise<Redis> {
  const { Redis } = await import("ioredis");
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
  });
  redis.on("error", (error) => log.debug({ err: error.message }, "redis error"));
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      log.warn("Redis is not reachable; the instance starts and reports it in /readyz");
      resolve();
    }, 3000);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return redis;
}

export async function createContext(config: Config, options: ContextOptions): Promise<AppContext> {
  const log =
    options.logger ??
    createLogger({ level: config.logLevel, format: config.logFormat, timezone: config.timezone });
  let lastLossLogged = 0;
  const database = await openDatabase(config, {
    pgliteMemory: options.pgliteMemory ?? false,
    ...(options.pgliteImage ? { pgliteImage: options.pgliteImage } : {}),
    // A restart of PostgreSQL closes every connection at once: one line per second is enough.
    onConnectionLost: (error) => {
      if (Date.now() - lastLossLogged < 1000) return;
      lastLossLogged = Date.now();
      log.warn({ err: error.message }, "database connection lost; reconnecting on next query");
    },
  });
  const db = database.db;
  // Migrations of the core and of the modules that are on, then the registry of modules.
  const modules = await openModules(db, log, config.plugins, options.modules ?? [], {
    migrate: options.migrate !== false,
  });
  const redis = config.redisUrl ? await connectRedis(config.redisUrl, log) : undefined;
  let queue: JobQueue;
  if (config.redisUrl && redis) {
    const { BullQueue } = await import("./jobs/bullmq-queue.ts");
    const bull = new BullQueue(
      db,
      redis,
      config.redisUrl,
      config.redisPrefix,
      log,
      config.workerConcurrency,
      options.jobSpecs,
    );
    bull.startRelay();
    queue = bull;
  } else queue = new DatabaseQueue(db, log, config.workerConcurrency, options.jobSpecs);
  const i18n = await createI18n(options.viewDirs);
  const settings = new SettingsCache(db);
  await ensureInstanceSettings(db, config.instanceName);

  const context: AppContext = {
    config,
    log,
    db,
    dbKind: database.kind,
    dbHealth: database.health,
    redis,
    queue,
    mailer: createMailer(config),
    i18n,
    settings,
    fragments: new FragmentCache(config.cardCacheSize),
    sessions: redis
      ? new RedisSessionStore(redis, config.redisPrefix)
      : new DatabaseSessionStore(db),
    ports: {} as FederationPorts,
    modules,
    transaction: (work) => inTransaction(db, queue, work),
    async close() {
      await queue.stop();
      redis?.disconnect();
      await database.close();
    },
  };
  return context;
}
