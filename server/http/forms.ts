// HTML forms: validate with a JSON Schema, and on failure render the same page with an error
// summary and a message beside each field (GOV.UK-style, works without JavaScript).
import type express from "express";
import type { ValidateFunction } from "ajv";
import type { i18n } from "i18next";
import type { FieldError } from "./errors.ts";
import { fieldErrors } from "./validate.ts";
import { translate } from "../i18n/i18n.ts";

export type FormResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

export function parseForm<T>(validate: ValidateFunction<T>, body: unknown): FormResult<T> {
  const data = { ...(body as Record<string, unknown>) };
  delete data._csrf;
  // Empty inputs mean "not given": drop them so optional fields stay absent.
  for (const [key, value] of Object.entries(data)) if (value === "") delete data[key];
  if (validate(data)) return { ok: true, value: data };
  return { ok: false, errors: fieldErrors(validate.errors) };
}

export interface FormState {
  values: object;
  errors: Record<string, string>;
  errorList: { field: string; message: string }[];
}

/** Translates field errors for the page; `labels` gives the message key naming each field. */
export function formState(
  i18n: i18n,
  lang: string,
  values: object,
  errors: FieldError[] = [],
): FormState {
  const messages: Record<string, string> = {};
  for (const error of errors)
    messages[error.field] ??= translate(i18n, lang, error.key, error.values);
  return {
    values,
    errors: messages,
    errorList: Object.entries(messages).map(([field, message]) => ({ field, message })),
  };
}

export function renderForm(
  res: express.Response,
  view: string,
  i18n: i18n,
  req: express.Request,
  data: Record<string, unknown> & {
    values?: object | undefined;
    errors?: FieldError[] | undefined;
  },
  status?: number,
): void {
  const { values = {}, errors = [], ...rest } = data;
  const state = formState(i18n, req.lang, values, errors);
  res.status(status ?? (errors.length ? 422 : 200));
  if (!errors.length) return res.render(view, { ...rest, form: state });
  res.render(view, { ...rest, form: state }, (error, html) => {
    if (error) return req.next?.(error);
    res.send(nameFieldsInSummary(html, translate(i18n, req.lang, "layout.colon")));
  });
}

/**
 * The error summary names each field ("Adresse e-mail : ce champ est obligatoire"), whatever
 * form of whatever module it sits in: the name is the text of the field's own <label>, read from
 * the rendered page, so that it is always the one the member sees next to the field.
 */
export function nameFieldsInSummary(html: string, colon: string): string {
  return html.replace(
    /<span class="error-summary__field" data-label-for="([\w.-]+)"><\/span>/g,
    (_, id: string) => {
      const label = new RegExp(
        `<label[^>]*\\bfor="${id.replace(/\./g, "\\.")}"[^>]*>([\\s\\S]*?)</label>`,
      ).exec(html);
      const text = label?.[1]
        ?.replace(/<span class="field__optional">[\s\S]*?<\/span>/g, "")
        .replace(/<[^>]+>/g, "")
        .replace(/\s+/g, " ")
        .trim();
      return text ? `<span class="error-summary__field">${text}${colon}</span> ` : "";
    },
  );
}

export function flash(
  req: express.Request,
  key: string,
  values?: Record<string, string | number>,
): void {
  req.session.flash = values ? { key, values } : { key };
}
