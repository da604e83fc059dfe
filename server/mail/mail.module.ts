// Outgoing mail: one job per mail, retried while the SMTP server refuses.
import type { JobDefinitions, Module } from "../modules/module.ts";
import { renderMail } from "./mailer.ts";

const jobs: JobDefinitions<"mail.send"> = {
  "mail.send": {
    spec: { attempts: 8, backoffMs: 30_000, timeoutMs: 30_000 },
    async run(ctx, job, { signal }) {
      const { name } = await ctx.settings.get();
      await ctx.mailer.send(renderMail(ctx.i18n, job, name), signal);
    },
  },
};

export const mailModule: Module = { name: "mail", jobs };
