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

/**
 * The loopback ports freePort hands out (`TEST_PORTS=from-to`): by default 20000-32000, below the
 * kernel's range for outgoing connections (32768 and up), so no connection of any process takes
 * a port between its pick and its use; CI gives each of its two passes, which run side by side,
 * its own half.
 */
export const TEST_PORTS = ((): { from: number; to: number } => {
  // eslint-disable-next-line no-restricted-properties
  const raw = process.env.TEST_PORTS;
  const match = raw?.match(/^(\d+)-(\d+)$/);
  if (raw && !match) throw new Error(`TEST_PORTS must read from-to, not ${raw}`);
  const [from, to] = match ? [Number(match[1]), Number(match[2])] : [20000, 32000];
  if (!(from >= 1024 && from < to && to <= 65535))
    throw new Error(`TEST_PORTS: ${raw} is not a range of ports`);
  return { from, to };
})();
