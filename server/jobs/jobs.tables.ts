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
}

declare module "../db/schema.ts" {
  interface Database extends JobTables {}
}
