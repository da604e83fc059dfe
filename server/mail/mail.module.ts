// Outgoing mail: one job per mail, retried while the SMTP server refuses.
import type { JobDefinitions, Module } from "../modules/module.ts";
import { renderMail } from "./mailer.ts";
import { alreadySent, recordSent } from "./sent-mails.repo.ts";

const jobs: JobDefinitions<"mail.send"> = {
  "mail.send": {
    spec: { attempts: 8, backoffMs: 30_000, timeoutMs: 30_000 },
    async run(ctx, job, { signal, id }) {
      // A worker killed after sending and before the queue recorded the job as done runs it
      // again: the mail is sent once, whatever the tries (migration 0083).
      if (await alreadySent(ctx.db, id)) return;
      const { name } = await ctx.settings.get();
      await ctx.mailer.send({ ...renderMail(ctx.i18n, job, name), key: id }, signal);
      // Sent: a failure to record it must not make the job fail, or the retry would send again.
      await recordSent(ctx.db, id).catch((error: unknown) =>
        ctx.log.warn({ err: error, job: id }, "mail sent but not recorded as sent"),
      );
    },
  },
};

export const mailModule: Module = { name: "mail", jobs };
