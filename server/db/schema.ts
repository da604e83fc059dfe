// The typed shape of every table, composed from the feature modules that own them.
import type { Generated } from "kysely";
import type { AccountTables } from "../accounts/accounts.tables.ts";
import type { InstanceTables } from "../instance/instance.tables.ts";
import type { JobTables } from "../jobs/jobs.tables.ts";
import type { NotificationTables } from "../notifications/notifications.tables.ts";
import type { FederationTables } from "../../federation/federation.tables.ts";
import type { ForumTables } from "../forums/forums.tables.ts";
import type { OfferTables } from "../offers/offers.tables.ts";

export interface MigrationTables {
  schema_migrations: {
    version: number;
    name: string;
    applied_at: Generated<Date>;
  };
}

export interface Database
  extends
    MigrationTables,
    InstanceTables,
    AccountTables,
    JobTables,
    NotificationTables,
    FederationTables,
    ForumTables,
    OfferTables {}
