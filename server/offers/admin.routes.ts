// Administration of offers: the category taxonomy and the feature's instance settings.
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireRole } from "../http/auth.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { compileForm } from "../http/validate.ts";
import * as repo from "./offers.repo.ts";

interface CategoryForm {
  slug?: string;
  nameFr: string;
  nameEn: string;
  position: number;
  archived?: "on";
}
const categoryFields = {
  nameFr: { type: "string", minLength: 2, maxLength: 60 },
  nameEn: { type: "string", minLength: 2, maxLength: 60 },
  position: { type: "integer", minimum: 0, maximum: 10_000 },
  archived: { type: "string", enum: ["on"] },
};
const validateNewCategory = compileForm<CategoryForm>({
  type: "object",
  required: ["slug", "nameFr", "nameEn", "position"],
  properties: {
    slug: { type: "string", pattern: "^[a-z0-9-]{2,40}$" },
    ...categoryFields,
  },
});
const validateCategory = compileForm<CategoryForm>({
  type: "object",
  required: ["nameFr", "nameEn", "position"],
  properties: categoryFields,
});
const validateSettings = compileForm<repo.OfferSettings>({
  type: "object",
  required: ["lastMinuteDays", "reminderDays"],
  properties: {
    lastMinuteDays: { type: "integer", minimum: 1, maximum: 30 },
    reminderDays: { type: "integer", minimum: 1, maximum: 30 },
  },
});

export const ADMIN_MENU = { href: "/admin/offers", label: "offers:admin.title", key: "offers" };

export function offersAdminRoutes(router: express.Router, ctx: AppContext): void {
  const admin = requireRole("admin");

  const page = async (
    req: express.Request,
    res: express.Response,
    state: { errors?: FieldError[]; values?: object } = {},
  ) => {
    const settings = await repo.readOfferSettings(ctx.db);
    renderForm(res, "offers/admin", ctx.i18n, req, {
      title: req.t("offers:admin.title"),
      section: "offers",
      categories: await repo.listCategories(ctx.db, true),
      values: { ...settings, position: 100, ...state.values },
      errors: state.errors,
    });
  };

  router.get("/admin/offers", admin, (req, res) => page(req, res));

  router.post("/admin/offers/settings", admin, async (req, res) => {
    const form = parseForm(validateSettings, req.body);
    if (!form.ok) return page(req, res, { values: req.body as object, errors: form.errors });
    await repo.updateOfferSettings(ctx.db, form.value);
    flash(req, "offers:admin.settingsSaved");
    res.redirect(303, "/admin/offers");
  });

  router.post("/admin/offers/categories", admin, async (req, res) => {
    const form = parseForm(validateNewCategory, req.body);
    if (!form.ok) return page(req, res, { values: req.body as object, errors: form.errors });
    if (await repo.findCategory(ctx.db, form.value.slug!))
      return page(req, res, {
        values: req.body as object,
        errors: [{ field: "slug", key: "offers:admin.slugTaken" }],
      });
    await repo.insertCategory(ctx.db, {
      slug: form.value.slug!,
      nameFr: form.value.nameFr,
      nameEn: form.value.nameEn,
      position: form.value.position,
    });
    flash(req, "offers:admin.categoryAdded");
    res.redirect(303, "/admin/offers");
  });

  router.post("/admin/offers/categories/:id", admin, async (req, res) => {
    const form = parseForm(validateCategory, req.body);
    if (!form.ok) return page(req, res, { errors: form.errors });
    const id = String(req.params.id);
    const saved =
      repo.isUuid(id) &&
      (await repo.updateCategory(ctx.db, id, {
        nameFr: form.value.nameFr,
        nameEn: form.value.nameEn,
        position: form.value.position,
        archived: form.value.archived === "on",
      }));
    if (!saved) throw new HttpError(404, "errors.notFound");
    flash(req, "offers:admin.categorySaved");
    res.redirect(303, "/admin/offers");
  });
}
