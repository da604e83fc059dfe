// Starts a real instance in this process on a loopback port, with its own database, queue
// namespace and data folder.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Logger } from "pino";
import { loadConfig } from "../../server/config.ts";
import { startInstance, type RunningInstance } from "../../app/instance.ts";
import { adminExists, createAccount } from "../../server/accounts/accounts.service.ts";
import { loadPgliteExtensions } from "../../server/db/database.ts";
import { dropDatabase, freshDatabaseUrl } from "./databases.ts";
import { REDIS_URL, TEST_PORTS } from "./env.ts";

export interface TestInstance extends RunningInstance {
  url: string;
  dataDir: string;
  env: Record<string, string>;
  databaseUrl: string | undefined;
  redisPrefix: string;
  port: number;
  /** Stops the instance and removes its database and data folder. */
  destroy(): Promise<void>;
}

/** The admin a test instance is set up with (tests that need an admin create their own). */
export const INSTALLER = {
  email: "installation@exemple.fr",
  username: "installation",
  displayName: "Installation",
  password: "installation de test",
};

/** Whether nothing listens on this loopback port now. */
function listenable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

// Handed out in turn from a random place in TEST_PORTS: a port asked for by the kernel (port 0)
// comes from its range for outgoing connections, where another process's connection could take
// it before the test listens on it (seen in CI with two passes side by side).
let nextPort = TEST_PORTS.from + Math.floor(Math.random() * (TEST_PORTS.to - TEST_PORTS.from));

/** A loopback port free now, and not handed out before by this process. */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 500; tries++) {
    const port = nextPort;
    nextPort = port >= TEST_PORTS.to ? TEST_PORTS.from : port + 1;
    if (await listenable(port)) return port;
  }
  throw new Error(`no free loopback port in ${TEST_PORTS.from}-${TEST_PORTS.to}`);
}

export interface TestInstanceOptions {
  env?: Record<string, string>;
  /** Listen on this port (known in advance, e.g. to list instances in each other's config). */
  port?: number;
  /** Reuse the database and data folder of a stopped instance (restart). */
  reuse?: { databaseUrl: string | undefined; dataDir: string; port: number; redisPrefix: string };
  /** Keep PGlite on disk in the data folder (to restart on it); in memory otherwise. */
  persist?: boolean;
  /** Plugin folders (plugins/ by default; tests add test/fixtures/plugins). */
  pluginDirs?: readonly string[];
  /** Log here instead of the level LOG_LEVEL gives (e.g. to read what the instance logs). */
  logger?: Logger;
  /**
   * false: leave the instance without an admin (its pages then lead to /setup). By default an
   * admin is created the way /setup does, unless one exists already (ADMIN_EMAIL, a restart).
   */
  admin?: false;
}

// PGlite's initdb is most of an embedded start (about 1.4 s of 2.3 s here): the suite initialises
// one empty data folder and starts each in-memory instance from a copy of it.
let pgliteImage: Promise<Blob> | undefined;
function freshPgliteImage(): Promise<Blob> {
  pgliteImage ??= (async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const pglite = await PGlite.create({ extensions: await loadPgliteExtensions() });
    try {
      return await pglite.dumpDataDir("none");
    } finally {
      await pglite.close();
    }
  })();
  return pgliteImage;
}

export async function startTestInstance(options: TestInstanceOptions = {}): Promise<TestInstance> {
  const port = options.reuse?.port ?? options.port ?? (await freePort());
  const dataDir =
    options.reuse?.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "maillage-test-"));
  const databaseUrl = options.reuse ? options.reuse.databaseUrl : await freshDatabaseUrl();
  const redisPrefix = options.reuse?.redisPrefix ?? `mt${crypto.randomBytes(4).toString("hex")}`;
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: "127.0.0.1",
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: "silent",
    REDIS_PREFIX: redisPrefix,
    INSTANCE_NAME: "CMCAS de Test",
    // Suites write through services as often as through pages: the page cache has its own
    // suite (test/performance), which switches it on.
    PAGE_CACHE_SECONDS: "0",
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(REDIS_URL ? { REDIS_URL } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const pgliteMemory = !databaseUrl && !options.persist && !options.reuse;
  const running = await startInstance(config, {
    pgliteMemory,
    ...(pgliteMemory ? { pgliteImage: await freshPgliteImage() } : {}),
    ...(options.pluginDirs ? { pluginDirs: options.pluginDirs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  if (options.admin !== false && running.ctx.config.role !== "worker") {
    await running.ctx.transaction(async (tx) => {
      if (await adminExists(tx.db)) return;
      const result = await createAccount(tx, { ...INSTALLER, language: "fr", role: "admin" });
      if (!result.ok) throw new Error(`could not create the test admin: ${result.error}`);
    });
  }
  return {
    ...running,
    url: running.url!,
    dataDir,
    env,
    databaseUrl,
    redisPrefix,
    port,
    async destroy() {
      await running.stop();
      if (databaseUrl) await dropDatabase(databaseUrl);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
