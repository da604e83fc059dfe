// Personal data pages for the accessibility scan: the member's data page, an export in
// progress and a ready one, the admin's record of processing.
import type { PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const { db } = instance.ctx;
  const later = new Date(Date.now() + 24 * 3600_000);
  const running = await db
    .insertInto("data_exports")
    .values({
      user_id: users.member.user.id,
      status: "running",
      step: 3,
      steps: 9,
      expires_at: later,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  const ready = await db
    .insertInto("data_exports")
    .values({
      user_id: users.member.user.id,
      status: "done",
      step: 9,
      steps: 9,
      archive: Buffer.from("PK"),
      size: 2,
      expires_at: later,
    })
    .returning("id")
    .executeTakeFirstOrThrow();
  return [
    { path: "/me/data", as: "member" },
    { path: `/me/data/exports/${running.id}?auto=0`, as: "member" },
    { path: `/me/data/exports/${ready.id}`, as: "member" },
    { path: "/admin/privacy", as: "admin" },
  ];
};
