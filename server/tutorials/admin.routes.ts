// Administration of the tutorials' category taxonomy (seeded with nine categories).
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireRole } from "../http/auth.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { compileForm } from "../http/validate.ts";
import * as repo from "./tutorials.repo.ts";

interface CategoryForm {
  slug?: string;
  nameFr: string;
  nameEn: string;
  position: number;
  archived?: "on";
}
const fields = {
  nameFr: { type: "string", minLength: 2, maxLength: 60 },
  nameEn: { type: "string", minLength: 2, maxLength: 60 },
  position: { type: "integer", minimum: 0, maximum: 10_000 },
  archived: { type: "string", enum: ["on"] },
};
const validateNew = compileForm<CategoryForm>({
  type: "object",
  required: ["slug", "nameFr", "nameEn", "position"],
  properties: { slug: { type: "string", pattern: "^[a-z0-9-]{2,40}$" }, ...fields },
});
const validateEdit = compileForm<CategoryForm>({
  type: "object",
  required: ["nameFr", "nameEn", "position"],
  properties: fields,
});

export const ADMIN_MENU = {
  href: "/admin/tutorials",
  label: "tutorials:admin.title",
  key: "tutorials",
};

export function tutorialsAdminRoutes(router: express.Router, ctx: AppContext): void {
  const admin = requireRole("admin");
  const page = async (
    req: express.Request,
    res: express.Response,
    state: { errors?: FieldError[]; values?: object } = {},
  ) =>
    renderForm(res, "tutorials/admin", ctx.i18n, req, {
      title: req.t("tutorials:admin.title"),
      section: "tutorials",
      categories: await repo.listCategories(ctx.db, true),
      values: { position: 100, ...state.values },
      errors: state.errors,
    });

  router.get("/admin/tutorials", admin, (req, res) => page(req, res));

  router.post("/admin/tutorials/categories", admin, async (req, res) => {
    const form = parseForm(validateNew, req.body);
    if (!form.ok) return page(req, res, { values: req.body as object, errors: form.errors });
    const added = await ctx.db
      .insertInto("tutorial_categories")
      .values({
        slug: form.value.slug!,
        name_fr: form.value.nameFr,
        name_en: form.value.nameEn,
        position: form.value.position,
      })
      .onConflict((oc) => oc.column("slug").doNothing())
      .returning("id")
      .executeTakeFirst();
    if (!added)
      return page(req, res, {
        values: req.body as object,
        errors: [{ field: "slug", key: "tutorials:admin.slugTaken" }],
      });
    flash(req, "tutorials:admin.categoryAdded");
    res.redirect(303, "/admin/tutorials");
  });

  router.post("/admin/tutorials/categories/:id", admin, async (req, res) => {
    const form = parseForm(validateEdit, req.body);
    if (!form.ok) return page(req, res, { errors: form.errors });
    const id = String(req.params.id);
    if (!repo.isUuid(id)) throw new HttpError(404, "errors.notFound");
    const saved = await ctx.db
      .updateTable("tutorial_categories")
      .set({
        name_fr: form.value.nameFr,
        name_en: form.value.nameEn,
        position: form.value.position,
        archived_at: form.value.archived === "on" ? new Date() : null,
      })
      .where("id", "=", id)
      .executeTakeFirst();
    if (Number(saved.numUpdatedRows) === 0) throw new HttpError(404, "errors.notFound");
    flash(req, "tutorials:admin.categorySaved");
    res.redirect(303, "/admin/tutorials");
  });
}
