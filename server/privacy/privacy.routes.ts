// Pages of personal data: the member's "Download my data" (a job with a progress page that
// reloads itself without JavaScript, then a download valid 24 hours), and the admin's record of
// processing with the retention period of registrations.
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireRole, requireUser } from "../http/auth.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { HttpError } from "../http/errors.ts";
import { compileForm } from "../http/validate.ts";
import { requestExport } from "./export.service.ts";
import { retentionDays, setRetentionDays } from "./retention.service.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const REFRESH_SECONDS = 2;

/** The processing activities shown on the record (their texts are in the catalogue). */
export const PROCESSING = ["accounts", "import", "registrations", "forums", "federation", "mail"];

const validateRetention = compileForm<{ days: number }>({
  type: "object",
  required: ["days"],
  properties: { days: { type: "integer", minimum: 30, maximum: 3650 } },
});

export function privacyRoutes(router: express.Router, ctx: AppContext): void {
  router.get("/me/data", requireUser, async (req, res) => {
    const exports = await ctx.db
      .selectFrom("data_exports")
      .select(["id", "status", "created_at", "expires_at"])
      .where("user_id", "=", req.user!.id)
      .where("expires_at", ">", new Date())
      .orderBy("created_at", "desc")
      .limit(5)
      .execute();
    res.render("privacy/data", { title: req.t("privacy:data.title"), section: "data", exports });
  });

  router.post("/me/data/exports", requireUser, async (req, res) => {
    const id = await requestExport(ctx.db, req.user!.id);
    await ctx.queue.enqueue("privacy.export", { exportId: id });
    res.redirect(303, `/me/data/exports/${id}`);
  });

  const ownExport = async (req: express.Request) => {
    const id = String(req.params.id);
    if (!UUID.test(id)) throw new HttpError(404, "errors.notFound");
    const found = await ctx.db
      .selectFrom("data_exports")
      .select(["id", "status", "step", "steps", "size", "created_at", "expires_at"])
      .where("id", "=", id)
      .where("user_id", "=", req.user!.id)
      .executeTakeFirst();
    if (!found) throw new HttpError(404, "errors.notFound");
    return found;
  };

  router.get("/me/data/exports/:id", requireUser, async (req, res) => {
    const found = await ownExport(req);
    const waiting = found.status === "pending" || found.status === "running";
    const auto = req.query.auto !== "0";
    if (waiting && auto) res.setHeader("Refresh", String(REFRESH_SECONDS));
    res.render("privacy/export", {
      title: req.t("privacy:export.title"),
      section: "data",
      item: found,
      expired: found.expires_at < new Date(),
      waiting,
      auto,
      percent: Math.floor((100 * found.step) / Math.max(1, found.steps)),
    });
  });

  router.get("/me/data/exports/:id/archive.zip", requireUser, async (req, res) => {
    const found = await ownExport(req);
    if (found.expires_at < new Date()) throw new HttpError(410, "privacy:export.expired");
    if (found.status !== "done") throw new HttpError(409, "privacy:export.notReady");
    const row = await ctx.db
      .selectFrom("data_exports")
      .select("archive")
      .where("id", "=", found.id)
      .executeTakeFirstOrThrow();
    const day = found.created_at.toISOString().slice(0, 10);
    res
      .type("application/zip")
      .setHeader("Content-Disposition", `attachment; filename="mes-donnees-${day}.zip"`)
      .setHeader("Cache-Control", "private, no-store")
      .send(row.archive);
  });

  const admin = requireRole("admin");
  const recordPage = async (
    req: express.Request,
    res: express.Response,
    values?: object,
    errors?: { field: string; key: string }[],
  ) => {
    const deletions = await ctx.db
      .selectFrom("deleted_accounts")
      .select((eb) => eb.fn.countAll<number>().as("n"))
      .executeTakeFirstOrThrow();
    renderForm(res, "privacy/record", ctx.i18n, req, {
      title: req.t("privacy:record.title"),
      section: "privacy",
      processing: PROCESSING,
      deletions: Number(deletions.n),
      values: values ?? { days: await retentionDays(ctx.db) },
      errors,
    });
  };

  router.get("/admin/privacy", admin, (req, res) => recordPage(req, res));

  router.post("/admin/privacy", admin, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const form = parseForm(validateRetention, {
      days: /^\d{1,5}$/.test(String(body.days ?? "")) ? Number(body.days) : body.days,
    });
    if (!form.ok) return recordPage(req, res, body, form.errors);
    await setRetentionDays(ctx.db, form.value.days);
    flash(req, "privacy:record.saved");
    res.redirect(303, "/admin/privacy");
  });
}
