// Sends mail over SMTP_URL; without it, writes each mail as an .eml file under DATA_DIR/mail so
// that a trial instance (and the tests) can read confirmation links.
import crypto from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import nodemailer from "nodemailer";
import type { i18n } from "i18next";
import type { Config } from "../config.ts";
import type { MailAttachment, MailJob } from "./mail.types.ts";
import { translate } from "../i18n/i18n.ts";
import { messageKey } from "../notifications/notifications.service.ts";

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  attachments?: MailAttachment[];
  /** The same for every try of one mail (its job id): a second sending of it is recognisable
   * (SMTP: the same Message-ID) or skipped (files). */
  key?: string;
}

function keyHash(key: string): string {
  return crypto.createHash("sha256").update(key).digest("hex").slice(0, 24);
}

export interface Mailer {
  send(mail: OutgoingMail, signal?: AbortSignal): Promise<void>;
}

export function mailDir(config: Pick<Config, "dataDir">): string {
  return path.join(config.dataDir, "mail");
}

export function createMailer(config: Pick<Config, "smtpUrl" | "mailFrom" | "dataDir">): Mailer {
  if (config.smtpUrl) {
    const transport = nodemailer.createTransport(config.smtpUrl);
    return {
      async send({ key, ...mail }) {
        const messageId = key ? `<${keyHash(key)}@maillage.mail>` : undefined;
        await transport.sendMail({ from: config.mailFrom, ...mail, messageId });
      },
    };
  }
  const transport = nodemailer.createTransport({
    streamTransport: true,
    buffer: true,
    newline: "unix",
  });
  const dir = mailDir(config);
  return {
    async send({ key, ...mail }) {
      await fs.mkdir(dir, { recursive: true });
      const suffix = `-${key ? keyHash(key) : crypto.randomBytes(4).toString("hex")}.eml`;
      if (key && (await fs.readdir(dir)).some((f) => f.endsWith(suffix))) return; // sent before
      const info = await transport.sendMail({ from: config.mailFrom, ...mail });
      const name = `${new Date().toISOString().replace(/[:.]/g, "-")}${suffix}`;
      await fs.writeFile(path.join(dir, name), info.message as Buffer);
    },
  };
}

export function renderMail(i18n: i18n, job: MailJob, instanceName: string): OutgoingMail {
  const data = { ...job.data, instance: instanceName };
  const t = (key: string, values: Record<string, unknown> = data) =>
    translate(i18n, job.lang, key, values);
  const signature = `\n\n-- \n${t("mail:signature")}\n`;
  if (job.template === "notification") {
    // A copy of an in-app notice: its own message is the subject, then the link.
    const key = messageKey(String(job.data.kind));
    const message = t(key);
    // A feature may give the mail copy more than the notice: `<feature>:mailDetails.<name>`
    // (the date, place and price of a booking).
    const detailsKey = key.replace(":notifications.", ":mailDetails.");
    const details = i18n.exists(detailsKey, { lng: job.lang }) ? `\n\n${t(detailsKey)}` : "";
    return {
      to: job.to,
      subject: message,
      text: `${message}${details}\n\n${t("mail:notification.open")}\n${String(job.data.link)}${signature}`,
      ...(job.attachments?.length ? { attachments: job.attachments } : {}),
    };
  }
  return {
    to: job.to,
    subject: t(`mail:${job.template}.subject`),
    text: `${t(`mail:${job.template}.body`)}${signature}`,
  };
}
