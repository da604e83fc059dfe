import type { ColumnType, Generated } from "kysely";

/** A timestamp the database fills in, that may be written later. */
export type CreatedAt = Generated<Date>;
/** A nullable timestamp. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
export type NullableTimestamp = ColumnType<Date | null, Date | string | null, Date | string | null>;
/** A JSONB column: read as T, written as its JSON text or the value. */
export type Json<T> = ColumnType<T, string | T, string | T>;
