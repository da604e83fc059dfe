// The typed shape of every table. Each module declares its tables in its own `<module>.tables.ts`
// and adds them to `Database` by declaration merging:
//
//   declare module "../db/schema.ts" { interface Database extends OfferTables {} }
import type { Generated } from "kysely";

export interface MigrationTables {
  schema_migrations: {
    version: number;
    name: string;
    applied_at: Generated<Date>;
  };
  /** Migrations of modules and plugins that bring their own folder, numbered per module. */
  module_migrations: {
    module: string;
    version: number;
    name: string;
    applied_at: Generated<Date>;
  };
}

export interface Database extends MigrationTables {}
