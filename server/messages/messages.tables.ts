import type { Generated } from "kysely";
import type { CreatedAt, NullableTimestamp } from "../db/types.ts";

export interface MessageTables {
  conversations: {
    id: Generated<string>;
    a_id: string;
    b_id: string;
    subject: string;
    context: Generated<string>;
    link: string | null;
    a_read_at: NullableTimestamp;
    b_read_at: NullableTimestamp;
    a_shares: Generated<boolean>;
    b_shares: Generated<boolean>;
    blocked_by: string | null;
    last_message_at: CreatedAt;
    created_at: CreatedAt;
  };
  conversation_messages: {
    id: Generated<string>;
    conversation_id: string;
    author_id: string;
    body: string;
    created_at: CreatedAt;
  };
  conversation_reports: {
    id: Generated<string>;
    conversation_id: string;
    reporter_id: string | null;
    reason: string;
    closed_at: NullableTimestamp;
    closed_by: string | null;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends MessageTables {}
}
