// Tests take their environment from the same config module as the instance.
import { loadConfig } from "../../server/config.ts";

const base = loadConfig();

/** PostgreSQL base URL when the suite runs against a real server, else undefined (PGlite). */
export const DATABASE_URL = base.databaseUrl;
/** Redis URL when the suite runs with BullMQ, else undefined (database queue). */
export const REDIS_URL = base.redisUrl;
export const MODE = `${DATABASE_URL ? "postgres" : "pglite"}+${REDIS_URL ? "bullmq" : "db-queue"}`;

// The one switch that is not an instance setting: CI runs the (slow) browser suite in one of its
// two passes only. Tests are not the application, so they may read it directly.
// eslint-disable-next-line no-restricted-properties
export const SKIP_BROWSER_SUITE = process.env.SKIP_BROWSER_SUITE === "1";

// Snapshot tests rewrite their reviewed files instead of comparing (test/snapshots/README.md).
// eslint-disable-next-line no-restricted-properties
export const UPDATE_SNAPSHOTS = process.env.UPDATE_SNAPSHOTS === "1";

// A developer scans only some features' pages (AXE_PAGES=messages,sel); CI scans them all.
// eslint-disable-next-line no-restricted-properties
export const AXE_PAGES = process.env.AXE_PAGES?.split(",").filter(Boolean);
