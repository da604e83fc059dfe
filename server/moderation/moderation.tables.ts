import type { Generated } from "kysely";
import type { CreatedAt, NullableTimestamp } from "../db/types.ts";

export interface ListingModerationTables {
  listing_reports: {
    id: Generated<string>;
    module: string;
    listing_id: string;
    reporter_id: string | null;
    reason: string;
    closed_at: NullableTimestamp;
    created_at: CreatedAt;
  };
  listing_moderation_log: {
    id: Generated<string>;
    module: string;
    listing_id: string;
    listing_title: string;
    moderator_id: string | null;
    action: "remove" | "restore";
    reason: string;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends ListingModerationTables {}
}
