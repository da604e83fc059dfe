import type { CreatedAt } from "../db/types.ts";

export interface MailTables {
  /** Mail jobs whose mail went out (migration 0083). */
  sent_mails: {
    job_id: string;
    sent_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends MailTables {}
}
