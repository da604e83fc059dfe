// Counts the SQL statements a piece of work sends through a transaction (a Kysely plugin on the
// transaction's handle: the statements still run on the real database).
import type { KyselyPlugin } from "kysely";
import type { Db } from "../../server/db/database.ts";
import type { Tx } from "../../server/db/transaction.ts";

export interface Counted {
  tx: Tx;
  /** The statements sent so far, by kind (the first word of each). */
  kinds: string[];
}

/** `db` with every statement it sends counted in `kinds`. */
export function counting(db: Db): { db: Db; kinds: string[] } {
  const kinds: string[] = [];
  // Every query built from `db` passes transformQuery, a subquery or a WITH query too; only the
  // statements sent get a result: those are counted, by the kind of their root.
  const built = new WeakMap<object, string>();
  const counter: KyselyPlugin = {
    transformQuery({ node, queryId }) {
      built.set(queryId, node.kind.replace(/QueryNode$/, "").toLowerCase());
      return node;
    },
    transformResult: ({ result, queryId }) => {
      const kind = built.get(queryId);
      if (kind) kinds.push(kind);
      return Promise.resolve(result);
    },
  };
  return { db: db.withPlugin(counter), kinds };
}

export function countStatements(tx: Tx): Counted {
  const { db, kinds } = counting(tx.db);
  return { tx: { ...tx, db }, kinds };
}
