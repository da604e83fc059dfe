import type { Generated } from "kysely";
import type { CreatedAt, Json, NullableTimestamp, Timestamp } from "../db/types.ts";

export type EmailCategory = "registrations" | "reminders" | "lastMinute" | "forums";

export interface NotificationTables {
  notifications: {
    id: Generated<string>;
    user_id: string;
    kind: string;
    data: Json<Record<string, string | number>>;
    link: string | null;
    email_category: EmailCategory | null;
    email_state: "pending" | "sent" | null;
    created_at: CreatedAt;
    read_at: NullableTimestamp;
  };
  schedules: {
    name: string;
    next_run_at: Timestamp;
  };
}

declare module "../db/schema.ts" {
  interface Database extends NotificationTables {}
}
