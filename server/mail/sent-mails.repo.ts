// Which mail jobs have sent their mail (migration 0083), so a job run again after a crash does
// not send it twice. Rows older than a month are pruned with the finished jobs.
import type { Db } from "../db/database.ts";

export async function alreadySent(db: Db, jobId: string): Promise<boolean> {
  const row = await db
    .selectFrom("sent_mails")
    .select("job_id")
    .where("job_id", "=", jobId)
    .executeTakeFirst();
  return row !== undefined;
}

export async function recordSent(db: Db, jobId: string): Promise<void> {
  await db
    .insertInto("sent_mails")
    .values({ job_id: jobId })
    .onConflict((oc) => oc.column("job_id").doNothing())
    .execute();
}
