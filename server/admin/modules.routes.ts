// The Modules page: every module and plugin of the instance with what it does, whether it is on,
// why a plugin could not be loaded, a switch for each plugin, and each module's settings as a
// form drawn from its JSON Schema (ADR 0061).
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireRole } from "../http/auth.ts";
import type { FieldError } from "../http/errors.ts";
import { HttpError } from "../http/errors.ts";
import { flash, renderForm } from "../http/forms.ts";
import type { SettingSchema } from "../modules/settings.ts";

interface Field {
  name: string;
  label: string;
  hint?: string;
  kind: "checkbox" | "select" | "number" | "text";
  inputType?: "number" | "text";
  value: unknown;
  checked?: boolean;
  options?: { value: string; selected: boolean }[];
  required: boolean;
  min?: number;
  max?: number;
  maxlength?: number;
  step?: string;
}

/** Field names carry their module, so that two modules' settings never share an id. */
const fieldName = (module: string, key: string) => `${module}.${key}`;

function fields(
  req: express.Request,
  module: string,
  schema: { properties: Record<string, SettingSchema>; required?: string[] },
  values: Record<string, unknown>,
): Field[] {
  return Object.entries(schema.properties).map(([key, s]) => {
    const value = values[key];
    const base = {
      name: fieldName(module, key),
      label: req.t(s.title),
      ...(s.description ? { hint: req.t(s.description) } : {}),
      required: schema.required?.includes(key) ?? false,
      value: value ?? "",
    };
    if (s.type === "boolean")
      return { ...base, kind: "checkbox", checked: value === true || value === "on" };
    if (s.enum)
      return {
        ...base,
        kind: "select",
        options: s.enum.map((v) => ({ value: v, selected: v === value })),
      };
    if (s.type === "integer" || s.type === "number")
      return {
        ...base,
        kind: "number",
        inputType: "number",
        ...(s.minimum !== undefined ? { min: s.minimum } : {}),
        ...(s.maximum !== undefined ? { max: s.maximum } : {}),
        step: s.type === "integer" ? "1" : "any",
      };
    return {
      ...base,
      kind: "text",
      inputType: "text",
      ...(s.maxLength ? { maxlength: s.maxLength } : {}),
    };
  });
}

export function moduleRoutes(router: express.Router, ctx: AppContext): void {
  const admin = requireRole("admin");

  const page = (
    req: express.Request,
    res: express.Response,
    sent?: { module: string; values: Record<string, unknown>; errors: FieldError[] },
  ) => {
    const lang = req.lang === "en" ? "en" : "fr";
    const modules = ctx.modules.list().map((info) => {
      const manifest = info.plugin?.manifest;
      const values = sent?.module === info.name ? sent.values : ctx.modules.settings(info.name);
      return {
        name: info.name,
        plugin: info.plugin !== undefined,
        label: manifest
          ? manifest.label[lang]
          : info.plugin
            ? info.name
            : req.t(`admin:modules.core.${info.name}.label`),
        description: manifest
          ? manifest.description[lang]
          : info.plugin
            ? undefined
            : req.t(`admin:modules.core.${info.name}.description`),
        version: manifest?.version,
        error: info.plugin?.error,
        enabled: ctx.modules.isEnabled(info.name),
        decidedBy: ctx.modules.decidedBy(info.name),
        settings:
          info.settings && ctx.modules.isEnabled(info.name)
            ? fields(req, info.name, info.settings.schema, values)
            : undefined,
      };
    });
    renderForm(
      res,
      "admin/modules",
      ctx.i18n,
      req,
      {
        title: req.t("admin:modules.title"),
        section: "modules",
        plugins: modules.filter((m) => m.plugin),
        core: modules.filter((m) => !m.plugin),
        errors: sent?.errors,
        values: {},
      },
      sent ? 422 : 200,
    );
  };

  router.get("/admin/modules", admin, async (req, res) => {
    await ctx.modules.refresh();
    page(req, res);
  });

  router.post("/admin/modules/:name", admin, async (req, res) => {
    const name = String(req.params.name);
    const body = req.body as Record<string, unknown>;
    if (body.enabled !== "on" && body.enabled !== "off")
      throw new HttpError(400, "errors.validation");
    const result = await ctx.modules.setEnabled(name, body.enabled === "on", req.user!.id);
    if (!result.ok) {
      if (result.error === "not_found") throw new HttpError(404, "errors.notFound");
      throw new HttpError(409, `admin:modules.errors.${result.error}`);
    }
    flash(req, body.enabled === "on" ? "admin:modules.switchedOn" : "admin:modules.switchedOff", {
      name,
    });
    res.redirect(303, "/admin/modules");
  });

  router.post("/admin/modules/:name/settings", admin, async (req, res) => {
    const name = String(req.params.name);
    const info = ctx.modules.info(name);
    if (!info?.settings || !ctx.modules.isEnabled(name))
      throw new HttpError(404, "errors.notFound");
    const body = req.body as Record<string, unknown>;
    const prefix = `${name}.`;
    const values = Object.fromEntries(
      Object.entries(body)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    const result = await ctx.modules.saveSettings(name, values, req.user!.id);
    if (!result.ok) {
      const errors = ((result.details?.errors ?? []) as FieldError[]).map((e) => ({
        ...e,
        field: fieldName(name, e.field),
      }));
      return page(req, res, { module: name, values, errors });
    }
    flash(req, "admin:modules.saved", { name });
    res.redirect(303, "/admin/modules");
  });
}
