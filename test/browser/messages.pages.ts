// In-app messages for the accessibility scan: the inbox, a conversation (with an error shown),
// and the moderators' reported conversations.
import { startConversation } from "../../server/messages/messages.service.ts";
import type { PageEntry, PageSource } from "./harness.ts";

export const pages: PageSource = async ({ instance, users }) => {
  const started = await instance.ctx.transaction((tx) =>
    startConversation(
      tx,
      { publicUrl: instance.ctx.config.publicUrl },
      {
        fromId: users.staff.user.id,
        toId: users.member.user.id,
        subject: "Covoiturage vers la colonie",
        context: "axe:1",
        link: "/",
        body: "Bonjour, il me reste deux places samedi.",
      },
    ),
  );
  if (!started.ok) throw new Error(started.error);
  const id = started.value.id;
  await instance.ctx.db
    .insertInto("conversation_reports")
    .values({ conversation_id: id, reporter_id: users.member.user.id, reason: "Test" })
    .execute();
  const entries: PageEntry[] = [
    { path: "/messages", as: "member" },
    { path: `/messages/${id}`, as: "member" },
    {
      path: `/messages/${id}`,
      as: "member",
      prepare: async (page) => {
        // Spaces pass the browser's `required` check and are refused by the server.
        await page.fill("#field-body", "   ");
        await Promise.all([
          page.waitForLoadState("load"),
          page.click("form.stack button[type=submit]"),
        ]);
      },
    },
    { path: "/messages/reports", as: "moderator" },
  ];
  // Phone first: each page is also scanned at 360 px.
  return entries.map((e) => ({ ...e, phone: true }));
};
