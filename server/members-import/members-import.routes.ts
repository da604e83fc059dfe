// Administration pages of the member import: upload, preview, start (dry or real), progress and
// report. The progress page works without JavaScript: it asks the browser to reload it (the
// `Refresh` header) while the job runs, which the admin can turn off, and has a reload link.
import type express from "express";
import multer from "multer";
import type { AppContext } from "../context.ts";
import { requireRole } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { flash, renderForm } from "../http/forms.ts";
import { HttpError } from "../http/errors.ts";
import { createImport, preview, startImport } from "./members-import.service.ts";

const MAX_FILE_BYTES = 8 * 1024 * 1024;
const REFRESH_SECONDS = 2;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: MAX_FILE_BYTES, files: 1 },
});

export function membersImportRoutes(router: express.Router, ctx: AppContext): void {
  const admin = requireRole("admin");

  const formPage = async (req: express.Request, res: express.Response, error?: string) => {
    const imports = await ctx.db
      .selectFrom("member_imports")
      .select(["id", "file_name", "status", "dry_run", "total_lines", "created_at"])
      .orderBy("created_at", "desc")
      .limit(20)
      .execute();
    renderForm(res, "members-import/upload", ctx.i18n, req, {
      title: req.t("members-import:title"),
      section: "members-import",
      imports,
      values: {},
      errors: error ? [{ field: "file", key: error }] : [],
    });
  };

  router.get("/admin/members/import", admin, (req, res) => formPage(req, res));

  router.post(
    "/admin/members/import",
    admin,
    // The token is checked once the file is read (uploadRoute); a file too large is answered
    // on the form itself.
    ...uploadRoute("/admin/members/import", (req, res, next) => {
      upload.single("file")(req, res, (error: unknown) => {
        if (error instanceof multer.MulterError) {
          res.status(413);
          return void formPage(req, res, "members-import:errors.tooLarge").catch(next);
        }
        next(error);
      });
    }),
    async (req, res) => {
      const file = req.file;
      if (!file || file.size === 0) return formPage(req, res, "members-import:errors.noFile");
      const content = new TextDecoder("utf-8", { fatal: false }).decode(file.buffer);
      if (content.includes("\u0000")) return formPage(req, res, "members-import:errors.notText");
      const created = await createImport(ctx.db, {
        fileName: file.originalname || "membres.csv",
        content,
        createdBy: req.user!.id,
      });
      if (!created.ok) return formPage(req, res, "members-import:errors.empty");
      res.redirect(303, `/admin/members/imports/${created.value}`);
    },
  );

  const findImport = async (id: string) => {
    if (!UUID.test(id)) throw new HttpError(404, "errors.notFound");
    const found = await ctx.db
      .selectFrom("member_imports")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirst();
    if (!found) throw new HttpError(404, "errors.notFound");
    return found;
  };

  router.get("/admin/members/imports/:id", admin, async (req, res) => {
    const found = await findImport(String(req.params.id));
    const waiting = found.status === "pending" || found.status === "running";
    const auto = req.query.auto !== "0";
    if (waiting && auto) res.setHeader("Refresh", String(REFRESH_SECONDS));
    const shown = found.status === "preview" && found.content ? preview(found.content) : undefined;
    const percent =
      found.total_lines > 0 ? Math.floor((100 * found.processed) / found.total_lines) : 100;
    renderForm(res, "members-import/import", ctx.i18n, req, {
      title: req.t("members-import:report.title", { file: found.file_name }),
      section: "members-import",
      item: found,
      preview: shown,
      waiting,
      auto,
      percent,
      canStart: found.content !== null && !waiting,
      values: {},
    });
  });

  router.post("/admin/members/imports/:id/start", admin, async (req, res) => {
    const found = await findImport(String(req.params.id));
    const body = req.body as Record<string, unknown>;
    const dryRun = body.mode !== "apply";
    const started = await ctx.transaction((tx) =>
      startImport(tx, found.id, { dryRun, invite: body.invite === "on" }),
    );
    if (!started) throw new HttpError(409, "members-import:errors.notStartable");
    flash(req, dryRun ? "members-import:report.dryRunStarted" : "members-import:report.started");
    res.redirect(303, `/admin/members/imports/${found.id}`);
  });
}
