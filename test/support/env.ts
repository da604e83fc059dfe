// Tests take their environment from the same config module as the instance.
import { loadConfig } from "../../server/config.ts";

const base = loadConfig();

/** PostgreSQL base URL when the suite runs against a real server, else undefined (PGlite). */
export const DATABASE_URL = base.databaseUrl;
/** Redis URL when the suite runs with BullMQ, else undefined (database queue). */
export const REDIS_URL = base.redisUrl;
export const MODE = `${DATABASE_URL ? "postgres" : "pglite"}+${REDIS_URL ? "bullmq" : "db-queue"}`;
