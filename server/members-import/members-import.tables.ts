import type { Generated } from "kysely";
import type { Relation } from "../accounts/accounts.tables.ts";
import type { CreatedAt, Json, NullableTimestamp } from "../db/types.ts";
import type { LineError } from "./members-csv.ts";

export type ImportStatus = "preview" | "pending" | "running" | "done" | "failed";

/** One member whose imported data changed, and which fields. */
export interface MemberChange {
  line: number;
  memberNumber: string;
  fields: string[];
}

export interface ImportReport {
  errors: LineError[];
  changes: MemberChange[];
}

export interface MembersImportTables {
  member_records: {
    member_number: string;
    last_name: string;
    first_name: string;
    email: string | null;
    birth_year: number;
    household: string | null;
    relation: Relation | null;
    user_id: string | null;
    family_member_id: string | null;
    invited_at: NullableTimestamp;
    created_at: CreatedAt;
    updated_at: CreatedAt;
  };
  member_imports: {
    id: Generated<string>;
    created_by: string | null;
    file_name: string;
    content: string | null;
    total_lines: number;
    invalid_lines: Generated<number>;
    status: Generated<ImportStatus>;
    dry_run: Generated<boolean>;
    invite: Generated<boolean>;
    processed: Generated<number>;
    created_count: Generated<number>;
    updated_count: Generated<number>;
    unchanged_count: Generated<number>;
    error_count: Generated<number>;
    invited_count: Generated<number>;
    report: Json<ImportReport>;
    last_error: string | null;
    created_at: CreatedAt;
    started_at: NullableTimestamp;
    finished_at: NullableTimestamp;
  };
}

declare module "../db/schema.ts" {
  interface Database extends MembersImportTables {}
}
