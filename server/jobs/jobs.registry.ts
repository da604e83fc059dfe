// The exhaustive map from job type to handler: a type without a handler does not compile.
import type { AppContext } from "../context.ts";
import { renderMail } from "../mail/mailer.ts";
import type { JobHandlers } from "./job-types.ts";
import { pruneFinishedJobs } from "./maintenance.ts";

export function jobHandlers(ctx: AppContext): JobHandlers {
  return {
    async "mail.send"(job, { signal }) {
      const { name } = await ctx.settings.get();
      await ctx.mailer.send(renderMail(ctx.i18n, job, name), signal);
    },
    async "maintenance.prune"() {
      await pruneFinishedJobs(ctx.db);
    },
  };
}
