import fs from "node:fs";
import path from "node:path";
import { Kysely, PostgresDialect, sql } from "kysely";
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";
import type { Config } from "../config.ts";
import type { Database } from "./schema.ts";
import { PGlitePool } from "./pglite-pool.ts";
import { acquireDataDirLock } from "./data-dir-lock.ts";

/** A database handle or an open transaction: services accept either, the caller decides. */
export type Db = Kysely<Database>;

export interface DatabaseHandle {
  db: Db;
  kind: "postgres" | "pglite";
  /** Connections lost since boot (PostgreSQL restarted, failed over, a proxy closed them). */
  health: DatabaseHealth;
  close(): Promise<void>;
}

export interface DatabaseHealth {
  connectionsLost: number;
  lastLostAt: Date | undefined;
  lastError: string | undefined;
}

/**
 * True for the errors of a database that went away (connection cut, server shutting down or
 * starting, refused): the request may be retried, so it is answered 503, not 500.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== "object") return false;
  const code = typeof e.code === "string" ? e.code : "";
  // 08: connection exception; 57P01-03: admin shutdown, crash shutdown, cannot connect now.
  if (/^(08...|57P0[123])$/.test(code)) return true;
  if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  return /Connection terminated|not queryable|timeout exceeded when trying to connect/.test(
    message,
  );
}

// Counts (int8) come back as strings from pg and as numbers from PGlite; make both numbers.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

/**
 * The driver under a handle: the pg pool (its use is a metric) or the embedded database (a
 * backup copies it from inside the process that owns it). Operations code only.
 */
export interface Driver {
  pool?: pg.Pool;
  pglite?: PGlite;
}
const drivers = new WeakMap<Db, Driver>();
export function driverOf(db: Db): Driver {
  return drivers.get(db) ?? {};
}

export const PGLITE_EXTENSIONS = ["unaccent", "pg_trgm", "cube", "earthdistance"] as const;

export async function openDatabase(
  config: Pick<Config, "databaseUrl" | "dataDir">,
  options: {
    pgliteMemory?: boolean;
    /** A dumped PGlite data folder (`dumpDataDir`) the in-memory database starts from. */
    pgliteImage?: Blob;
    poolSize?: number;
    onConnectionLost?: (error: Error) => void;
  } = {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
      application_name: "maillage",
    });
    const health: DatabaseHealth = {
      connectionsLost: 0,
      lastLostAt: undefined,
      lastError: undefined,
    };
    const lost = (error: Error) => {
      health.connectionsLost += 1;
      health.lastLostAt = new Date();
      health.lastError = error.message;
      options.onConnectionLost?.(error);
    };
    // Without these listeners a connection closed by the server (restart, failover, an idle
    // timeout of a proxy, pg_terminate_backend) is an unhandled `error` event that kills the
    // process. The pool drops an idle client that failed; a client checked out at that moment
    // fails its next query and is dropped when released (pg-pool checks it is still queryable).
    // Each client reports its loss once, idle or not; the pool's own report of an idle one is
    // the same event, so it is only listened to.
    pool.on("error", () => {});
    pool.on("connect", (client) => client.on("error", lost));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    drivers.set(db, { pool });
    return { db, kind: "postgres", health, close: () => db.destroy() };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const extensions = await loadPgliteExtensions();
  let releaseLock = () => {};
  let dataDir: string | undefined;
  if (!options.pgliteMemory) {
    dataDir = path.join(config.dataDir, "pglite");
    fs.mkdirSync(dataDir, { recursive: true });
    releaseLock = acquireDataDirLock(config.dataDir);
  }
  // Starting from an image skips initdb, most of PGlite's start (tests start hundreds).
  const image = options.pgliteMemory && options.pgliteImage;
  const pglite = await PGlite.create({
    dataDir,
    extensions,
    ...(image ? { loadDataDir: image } : {}),
  });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }),
  });
  drivers.set(db, { pglite });
  return {
    db,
    kind: "pglite",
    health: { connectionsLost: 0, lastLostAt: undefined, lastError: undefined },
    async close() {
      await db.destroy();
      releaseLock();
    },
  };
}

export async function loadPgliteExtensions() {
  const [{ unaccent }, { pg_trgm }, { cube }, { earthdistance }] = await Promise.all([
    import("@electric-sql/pglite/contrib/unaccent"),
    import("@electric-sql/pglite/contrib/pg_trgm"),
    import("@electric-sql/pglite/contrib/cube"),
    import("@electric-sql/pglite/contrib/earthdistance"),
  ]);
  return { unaccent, pg_trgm, cube, earthdistance };
}

export async function ping(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
