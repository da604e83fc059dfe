// The hub's copy of the aggregates its members share (migration 0124, ADR 0125).
import type { ColumnType } from "kysely";

export interface SharedTables {
  hub_shared_aggregates: {
    host: string;
    month: string;
    category: string;
    measure: string;
    value: number;
    fetched_at: ColumnType<Date, Date | undefined, Date>;
  };
}

declare module "../db/schema.ts" {
  interface Database extends SharedTables {}
}
