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
import { dropDatabase, freshDatabaseUrl } from "./databases.ts";
import { REDIS_URL } from "./env.ts";

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

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
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
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(REDIS_URL ? { REDIS_URL } : {}),
    ...options.env,
  };
  const config = loadConfig(env);
  const running = await startInstance(config, {
    pgliteMemory: !databaseUrl && !options.persist && !options.reuse,
    ...(options.pluginDirs ? { pluginDirs: options.pluginDirs } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
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
