import type { Generated } from "kysely";
import type { CreatedAt, NullableTimestamp, Timestamp } from "../db/types.ts";
import type { ContentChoice } from "./deletion.service.ts";

export interface PrivacyTables {
  privacy_settings: {
    id: Generated<number>;
    registration_retention_days: Generated<number>;
    updated_at: CreatedAt;
  };
  data_exports: {
    id: Generated<string>;
    user_id: string;
    status: Generated<"pending" | "running" | "done" | "failed">;
    step: Generated<number>;
    steps: Generated<number>;
    archive: Buffer | null;
    size: number | null;
    created_at: CreatedAt;
    finished_at: NullableTimestamp;
    expires_at: Timestamp;
  };
  deleted_accounts: {
    user_id: string;
    content: ContentChoice;
    deleted_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends PrivacyTables {}
}
