// Who hears of a report, and the reporter hearing back. A report must reach someone who can
// act: when the reported author is the group's only moderator, the instance's moderators and
// admins are told instead (they see every group's reports in /forums/reports).
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { notify } from "../notifications/notifications.service.ts";
import type { Group } from "./groups.repo.ts";
import type { ForumDeps } from "./groups.service.ts";
import * as members from "./memberships.repo.ts";

export async function tellOfReport(
  tx: Tx,
  deps: ForumDeps,
  input: { group: Group; topicTitle: string; authorId: string | null },
): Promise<void> {
  const inGroup = (await members.moderatorIds(tx.db, input.group.id)).filter(
    (id) => id !== input.authorId,
  );
  const recipients = inGroup.length
    ? inGroup.map((id) => ({ id, link: `/groups/${input.group.slug}/reports` }))
    : (await instanceModerators(tx.db))
        .filter((id) => id !== input.authorId)
        .map((id) => ({ id, link: "/forums/reports" }));
  for (const { id, link } of recipients) {
    await notify(tx, deps.publicUrl, {
      userId: id,
      kind: "forums:reported",
      data: { group: input.group.name, topic: input.topicTitle },
      link,
    });
  }
}

async function instanceModerators(db: Db): Promise<string[]> {
  const rows = await db
    .selectFrom("users")
    .select("id")
    .where("role", "in", ["moderator", "admin"])
    .execute();
  return rows.map((r) => r.id);
}

/** Before reports are closed: their authors, to tell them what became of them. */
export async function openReporters(
  db: Db,
  where: { postId: string } | { reportId: string },
): Promise<string[]> {
  let query = db
    .selectFrom("forum_reports")
    .select("reporter_id")
    .where("status", "=", "open")
    .where("reporter_id", "is not", null);
  query =
    "postId" in where
      ? query.where("post_id", "=", where.postId)
      : query.where("id", "=", where.reportId);
  return (await query.execute()).map((r) => r.reporter_id!);
}

export async function tellReporters(
  tx: Tx,
  deps: ForumDeps,
  reporters: string[],
  outcome: "reportResolved" | "reportDismissed",
  data: { group: string; topic: string; reason: string },
  link: string,
): Promise<void> {
  for (const userId of reporters)
    await notify(tx, deps.publicUrl, { userId, kind: `forums:${outcome}`, data, link });
}
