// The notification centre: every notice is kept in-app; an e-mail copy follows the member's
// preferences (at once, in the daily digest, or not at all), sent through the job queue.
import type { MailAttachment } from "../mail/mail.types.ts";
import type { i18n } from "i18next";
import type { Db } from "../db/database.ts";
import type { Tx } from "../db/transaction.ts";
import { findUserById, type User } from "../accounts/accounts.repo.ts";
import type { NotificationPrefs } from "../accounts/accounts.tables.ts";
import { translate } from "../i18n/i18n.ts";
import * as repo from "./notifications.repo.ts";
import type { EmailCategory } from "./notifications.tables.ts";

export type { Notification } from "./notifications.repo.ts";

export interface NotifyInput {
  userId: string;
  /** The account of `userId` when the caller has read it already: it is not read again. */
  user?: User;
  /** `<feature>:<name>`: the message is the catalogue key `<feature>:notifications.<name>`. */
  kind: `${string}:${string}`;
  data: Record<string, string | number>;
  /** Local path the notice leads to. */
  link?: string;
  /** Which e-mail preference governs a copy by mail; none means in-app only. */
  email?: EmailCategory;
  /** Files for the mail copy (not kept with the in-app notice). */
  attachments?: MailAttachment[];
}

function emailMode(prefs: NotificationPrefs, category: EmailCategory): "now" | "digest" | "off" {
  switch (category) {
    case "registrations":
      return prefs.emailRegistrations ? "now" : "off";
    case "reminders":
      return prefs.emailReminders ? "now" : "off";
    case "lastMinute":
      return prefs.emailLastMinute ? "now" : "off";
    case "forums":
      return prefs.emailForums === "each"
        ? "now"
        : prefs.emailForums === "digest"
          ? "digest"
          : "off";
  }
}

export function messageKey(kind: string): string {
  const [ns, name] = kind.split(":");
  return `${ns}:notifications.${name}`;
}

export function renderNotification(
  i18n: i18n,
  lang: string,
  n: { kind: string; data: Record<string, string | number> },
): string {
  return translate(i18n, lang, messageKey(n.kind), n.data);
}

export async function notify(tx: Tx, publicUrl: URL, input: NotifyInput): Promise<void> {
  if (input.user && input.user.id !== input.userId) throw new Error("notify: user is not userId");
  const user = input.user ?? (await findUserById(tx.db, input.userId));
  if (!user) return;
  const mode = input.email ? emailMode(user.notificationPrefs, input.email) : "off";
  await repo.insertNotification(tx.db, {
    userId: user.id,
    kind: input.kind,
    data: input.data,
    link: input.link ?? null,
    emailCategory: input.email ?? null,
    emailState: mode === "now" ? "sent" : mode === "digest" ? "pending" : null,
  });
  if (mode === "now") {
    tx.enqueue("mail.send", {
      to: user.email,
      template: "notification",
      lang: user.language,
      data: {
        kind: input.kind,
        link: input.link ? new URL(input.link, publicUrl).href : publicUrl.href,
        ...input.data,
      },
      ...(input.attachments ? { attachments: input.attachments } : {}),
    });
  }
}

export const listNotifications = repo.listNotifications;
export const countUnread = repo.countUnread;
export const markRead = repo.markRead;
export const findNotification = repo.findNotification;

/** Sends each member with pending forum notices one mail listing them. */
export async function sendDigests(
  db: Db,
  enqueue: Tx["enqueue"],
  i18n: i18n,
  publicUrl: URL,
): Promise<number> {
  let sent = 0;
  for (const userId of await repo.usersWithPendingDigest(db)) {
    const user = await findUserById(db, userId);
    const items = await repo.takeDigest(db, userId);
    if (!user || items.length === 0) continue;
    const lines = items.map(
      (n) =>
        `- ${renderNotification(i18n, user.language, n)}${n.link ? `\n  ${new URL(n.link, publicUrl).href}` : ""}`,
    );
    enqueue("mail.send", {
      to: user.email,
      template: "digest",
      lang: user.language,
      data: { name: user.displayName, count: items.length, items: lines.join("\n") },
    });
    sent += 1;
  }
  return sent;
}
