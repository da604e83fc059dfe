import type { ColumnType } from "kysely";

export interface ModuleTables {
  module_states: {
    name: string;
    /** Null: the plugin's manifest decides. */
    enabled: boolean | null;
    settings: ColumnType<Record<string, unknown>, string | undefined, string>;
    updated_at: ColumnType<Date, Date | undefined, Date>;
    updated_by: string | null;
  };
}

declare module "../db/schema.ts" {
  interface Database extends ModuleTables {}
}
