// Presents one embedded PGlite database as the small `pg.Pool` surface that Kysely's
// PostgresDialect needs. PGlite is a single session, so connections are handed out one at a
// time: a transaction holds the only connection until it commits or rolls back.
import type { PGlite } from "@electric-sql/pglite";
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from "kysely";

export class PGlitePool implements PostgresPool {
  readonly options = {};
  readonly #db: PGlite;
  #tail: Promise<void> = Promise.resolve();

  constructor(db: PGlite) {
    this.#db = db;
  }

  async connect(): Promise<PostgresPoolClient> {
    let release!: () => void;
    const previous = this.#tail;
    this.#tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    const db = this.#db;
    let released = false;
    return {
      async query<R>(sql: string, parameters: readonly unknown[]): Promise<PostgresQueryResult<R>> {
        // Migrations send whole scripts; only the simple protocol (exec) runs several statements.
        if (parameters.length === 0 && sql.includes(";")) {
          const results = await db.exec(sql);
          const last = results.at(-1);
          return {
            command: "SELECT",
            rowCount: last?.affectedRows ?? 0,
            rows: (last?.rows ?? []) as R[],
          };
        }
        const result = await db.query<R>(sql, parameters as unknown[]);
        const command = (/^\s*(insert|update|delete|merge)\b/i.exec(sql)?.[1]?.toUpperCase() ??
          "SELECT") as PostgresQueryResult<R>["command"];
        return { command, rowCount: result.affectedRows ?? result.rows.length, rows: result.rows };
      },
      release() {
        if (released) return;
        released = true;
        release();
      },
    } as PostgresPoolClient;
  }

  async end(): Promise<void> {
    await this.#tail;
    await this.#db.close();
  }
}
