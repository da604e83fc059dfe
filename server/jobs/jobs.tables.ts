import type { Generated } from "kysely";
import type { CreatedAt, Json, NullableTimestamp } from "../db/types.ts";

export type JobStatus = "pending" | "running" | "done" | "failed";

export interface JobTables {
  jobs: {
    id: Generated<number>;
    type: string;
    payload: Json<unknown>;
    status: Generated<JobStatus>;
    attempts: Generated<number>;
    max_attempts: number;
    run_at: Generated<Date>;
    locked_until: NullableTimestamp;
    last_error: string | null;
    created_at: CreatedAt;
    finished_at: NullableTimestamp;
  };
  /** Jobs written by a transaction, waiting to be handed over to BullMQ (migration 0082). */
  job_outbox: {
    id: Generated<number>;
    job_id: string;
    type: string;
    payload: Json<unknown>;
    delay_ms: Generated<number>;
    created_at: CreatedAt;
  };
}

declare module "../db/schema.ts" {
  interface Database extends JobTables {}
}
