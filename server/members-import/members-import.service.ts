// The import of a members list: upload and preview, then a job that applies the lines in batches
// and records its progress on the import's row (the progress page reads it), then invitations
// mailed in batches by a job that re-enqueues itself.
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { fail, ok, type Result } from "../lib/result.ts";
import { insertEmailToken } from "../accounts/accounts.repo.ts";
import { randomToken, sha256 } from "../accounts/secrets.ts";
import type { Language } from "../accounts/accounts.tables.ts";
import { readMembersCsv, type LineError, type MemberRow } from "./members-csv.ts";
import { applyBatch, type RunState } from "./apply.ts";
import type { ImportReport } from "./members-import.tables.ts";

/** Lines applied per transaction; the progress moves at this pace. */
export const BATCH_SIZE = 250;
/** Invitations mailed per job. */
export const INVITE_BATCH = 100;
/** Kept in the report (the counts are complete). */
const REPORT_LIMIT = 500;
const INVITE_TTL_MS = 14 * 24 * 3600_000;

export interface Upload {
  fileName: string;
  content: string;
  createdBy: string;
}

export async function createImport(db: Db, upload: Upload): Promise<Result<string, "empty">> {
  const read = readMembersCsv(upload.content);
  if (
    read.total === 0 &&
    read.rows.length === 0 &&
    read.errors.length > 0 &&
    read.errors[0]!.line === 1
  )
    return fail("empty");
  const row = await db
    .insertInto("member_imports")
    .values({
      created_by: upload.createdBy,
      file_name: upload.fileName.slice(0, 200),
      content: upload.content,
      total_lines: read.total,
      invalid_lines: read.errors.length,
      report: JSON.stringify({ errors: read.errors.slice(0, REPORT_LIMIT), changes: [] }),
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return ok(row.id);
}

/** What the preview shows: the first lines as read, and the file's errors. */
export function preview(content: string): {
  sample: MemberRow[];
  errors: LineError[];
  valid: number;
} {
  const read = readMembersCsv(content);
  return {
    sample: read.rows.slice(0, 10),
    errors: read.errors.slice(0, 100),
    valid: read.rows.length,
  };
}

/** Queues a run (dry or real) of an import still holding its file. */
export async function startImport(
  tx: Tx,
  id: string,
  options: { dryRun: boolean; invite: boolean },
): Promise<boolean> {
  const started = await tx.db
    .updateTable("member_imports")
    .set({
      status: "pending",
      dry_run: options.dryRun,
      invite: options.invite && !options.dryRun,
      processed: 0,
      created_count: 0,
      updated_count: 0,
      unchanged_count: 0,
      error_count: 0,
      report: JSON.stringify({ errors: [], changes: [] }),
      started_at: null,
      finished_at: null,
    })
    .where("id", "=", id)
    .where("content", "is not", null)
    .where("status", "in", ["preview", "done", "failed"])
    .executeTakeFirst();
  if (Number(started.numUpdatedRows) === 0) return false;
  tx.enqueue("members.import", { importId: id });
  return true;
}

/** The job: applies every line, holders of households before the members of their households. */
export async function runImport(
  db: Db,
  transaction: <T>(work: (tx: Tx) => Promise<T>) => Promise<T>,
  id: string,
  signal: AbortSignal,
): Promise<void> {
  const job = await db
    .selectFrom("member_imports")
    .select(["content", "dry_run", "invite", "status"])
    .where("id", "=", id)
    .executeTakeFirst();
  if (!job?.content || !["pending", "running"].includes(job.status)) return;
  const read = readMembersCsv(job.content);
  const rows = [...read.rows.filter((r) => r.email), ...read.rows.filter((r) => !r.email)];
  const report: ImportReport = { errors: read.errors, changes: [] };
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const state: RunState = { dryRun: job.dry_run, holders: new Map() };
  await db
    .updateTable("member_imports")
    .set({ status: "running", started_at: new Date(), processed: read.errors.length })
    .where("id", "=", id)
    .execute();
  for (let at = 0; at < rows.length; at += BATCH_SIZE) {
    signal.throwIfAborted();
    // Embedded PGlite answers without going back to the event loop: without this pause a run
    // would hold the process until its end, and its progress page could not be served.
    await new Promise((resolve) => setImmediate(resolve));
    const batch = rows.slice(at, at + BATCH_SIZE);
    const outcome = job.dry_run
      ? await applyBatch(db, batch, state)
      : await db.transaction().execute((trx) => applyBatch(trx, batch, state));
    counts.created += outcome.created;
    counts.updated += outcome.updated;
    counts.unchanged += outcome.unchanged;
    report.errors.push(...outcome.errors);
    report.changes.push(...outcome.changes);
    await db
      .updateTable("member_imports")
      .set({
        processed: read.errors.length + at + batch.length,
        created_count: counts.created,
        updated_count: counts.updated,
        unchanged_count: counts.unchanged,
        error_count: report.errors.length,
      })
      .where("id", "=", id)
      .execute();
  }
  await transaction(async (tx) => {
    await tx.db
      .updateTable("member_imports")
      .set({
        status: "done",
        finished_at: new Date(),
        error_count: report.errors.length,
        report: JSON.stringify({
          errors: report.errors.sort((a, b) => a.line - b.line).slice(0, REPORT_LIMIT),
          changes: report.changes.sort((a, b) => a.line - b.line).slice(0, REPORT_LIMIT),
        }),
        // The file holds personal data: kept after a dry run (for the real run), dropped after.
        ...(job.dry_run ? {} : { content: null }),
      })
      .where("id", "=", id)
      .execute();
    if (job.invite) tx.enqueue("members.invite", { importId: id });
  });
}

/** Marks a run that failed for good, so that its page stops waiting. */
export async function failImport(db: Db, id: string, error: string): Promise<void> {
  await db
    .updateTable("member_imports")
    .set({ status: "failed", finished_at: new Date(), last_error: error.slice(0, 500) })
    .where("id", "=", id)
    .execute();
}

/**
 * Mails the next batch of invitations: members with an account that was never used (no
 * confirmed address) and no invitation yet get a link to choose their password. Returns how many
 * were sent; the job asks for the next batch while it finds a full one.
 */
export async function inviteBatch(tx: Tx, importId: string, publicUrl: URL): Promise<number> {
  const batch = await tx.db
    .selectFrom("member_records")
    .innerJoin("users", "users.id", "member_records.user_id")
    .select([
      "member_records.member_number",
      "users.id",
      "users.email",
      "users.display_name",
      "users.language",
    ])
    .where("member_records.invited_at", "is", null)
    .where("users.email_confirmed_at", "is", null)
    .orderBy("member_records.member_number")
    .limit(INVITE_BATCH)
    .forUpdate()
    .skipLocked()
    .execute();
  for (const member of batch) {
    const token = randomToken();
    await insertEmailToken(tx.db, {
      hash: sha256(token),
      userId: member.id,
      purpose: "reset",
      expiresAt: new Date(Date.now() + INVITE_TTL_MS),
    });
    tx.enqueue("mail.send", {
      to: member.email,
      template: "memberInvitation",
      lang: member.language as Language,
      data: {
        name: member.display_name,
        link: new URL(`/password/reset/${token}`, publicUrl).href,
      },
    });
  }
  if (batch.length > 0) {
    await tx.db
      .updateTable("member_records")
      .set({ invited_at: new Date() })
      .where(
        "member_number",
        "in",
        batch.map((m) => m.member_number),
      )
      .execute();
    await tx.db
      .updateTable("member_imports")
      .set((eb) => ({ invited_count: eb("invited_count", "+", batch.length) }))
      .where("id", "=", importId)
      .execute();
  }
  if (batch.length === INVITE_BATCH) tx.enqueue("members.invite", { importId });
  return batch.length;
}
