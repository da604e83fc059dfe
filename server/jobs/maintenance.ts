import { sql } from "kysely";
import type { Db } from "../db/database.ts";

/** Keeps the database queue small: done jobs for a day, failed ones for a month. */
export async function pruneFinishedJobs(db: Db): Promise<void> {
  await db
    .deleteFrom("jobs")
    .where((eb) =>
      eb.or([
        eb.and([
          eb("status", "=", "done"),
          eb("finished_at", "<", sql<Date>`now() - interval '1 day'`),
        ]),
        eb.and([
          eb("status", "=", "failed"),
          eb("finished_at", "<", sql<Date>`now() - interval '30 days'`),
        ]),
      ]),
    )
    .execute();
  await db.deleteFrom("sessions").where("expires_at", "<", new Date()).execute();
  // A mail job is retried for less than a day: a month of "sent" marks is plenty.
  await db
    .deleteFrom("sent_mails")
    .where("sent_at", "<", sql<Date>`now() - interval '30 days'`)
    .execute();
}
