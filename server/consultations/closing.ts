// Closing a consultation, by staff or because its close date came (issue 13: results "appear at
// close" and participants "always learn what was done with their voice"). One path for both: the
// status moves from open to closed in a conditional UPDATE, and only the caller whose UPDATE moved
// it tells the participants and, for a network consultation, asks federation for the Update
// carrying the counts. So a job run twice, two workers, or staff closing while the job runs,
// never notify twice.
import type { AppContext } from "../context.ts";
import type { Tx } from "../db/transaction.ts";
import type { JobDefinitions } from "../modules/module.ts";
import { notify } from "../notifications/notifications.service.ts";
import { findConsultation, type Consultation } from "./consultations.repo.ts";
import type { ConsultationsPort } from "./consultations.port.ts";
import { countBallots } from "./results.ts";

declare module "../jobs/job-types.ts" {
  interface JobPayloads {
    "consultations.closeDue": Record<string, never>;
  }
}

/** Tells every member who answered online (their participation says they took part, not how). */
export async function notifyParticipants(
  tx: Tx,
  publicUrl: URL,
  c: Consultation,
  kind: `consultations:${string}`,
): Promise<void> {
  const voters = await tx.db
    .selectFrom("consultation_participations")
    .select("user_id")
    .where("consultation_id", "=", c.id)
    .execute();
  for (const v of voters)
    await notify(tx, publicUrl, {
      userId: v.user_id,
      kind,
      data: { title: c.title },
      link: `/consultations/${c.id}`,
    });
}

/**
 * Closes `c` if it is still open: at `now` when staff close it early, at its own close date when
 * that date has passed. True when this call closed it (and so notified).
 */
export async function closeConsultation(
  tx: Tx,
  publicUrl: URL,
  c: Consultation,
  port: ConsultationsPort | undefined,
  now = new Date(),
): Promise<boolean> {
  const moved = await tx.db
    .updateTable("consultations")
    .set({ status: "closed", closes_at: now < c.closesAt ? now : c.closesAt, updated_at: now })
    .where("id", "=", c.id)
    .where("status", "=", "open")
    .executeTakeFirst();
  if (moved.numUpdatedRows === 0n) return false;
  // Below the quorum the notice says the result is not representative, as its page does.
  const representative = c.quorum === null || (await countBallots(tx.db, c.id)) >= c.quorum;
  await notifyParticipants(
    tx,
    publicUrl,
    c,
    representative ? "consultations:results" : "consultations:resultsNotRepresentative",
  );
  await port?.closed(tx, c.id);
  return true;
}

/** The open consultations whose close date has passed, each closed in its own transaction. */
export async function closeDue(ctx: AppContext, now = new Date()): Promise<number> {
  const due = await ctx.db
    .selectFrom("consultations")
    .select("id")
    .where("status", "=", "open")
    .where("closes_at", "<=", now)
    .orderBy("closes_at")
    .limit(500)
    .execute();
  let closed = 0;
  for (const { id } of due) {
    const done = await ctx.transaction(async (tx) => {
      const c = await findConsultation(tx.db, id);
      return c
        ? closeConsultation(tx, ctx.config.publicUrl, c, ctx.ports.consultations, now)
        : false;
    });
    if (done) closed += 1;
  }
  return closed;
}

export const consultationsJobs: JobDefinitions<"consultations.closeDue"> = {
  "consultations.closeDue": {
    spec: { attempts: 3, backoffMs: 60_000, timeoutMs: 300_000 },
    run: async (ctx) => {
      await closeDue(ctx);
    },
  },
};
