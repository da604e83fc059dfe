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
  close(): Promise<void>;
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
  options: { pgliteMemory?: boolean; poolSize?: number } = {},
): Promise<DatabaseHandle> {
  if (config.databaseUrl) {
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: 5000,
    });
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    drivers.set(db, { pool });
    return { db, kind: "postgres", close: () => db.destroy() };
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
  const pglite = await PGlite.create({ dataDir, extensions });
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new PGlitePool(pglite) }),
  });
  drivers.set(db, { pglite });
  return {
    db,
    kind: "pglite",
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
