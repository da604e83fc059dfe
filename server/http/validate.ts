// One schema language (JSON Schema, compiled by ajv) for API bodies, HTML forms and incoming
// ActivityStreams payloads.
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { FieldError } from "./errors.ts";

const ajv = new Ajv({
  allErrors: true,
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
});
addFormats.default(ajv);
/** Forms arrive as strings: this twin coerces "3" to 3 and "on" stays a string. */
const formAjv = new Ajv({
  allErrors: true,
  coerceTypes: true,
  useDefaults: true,
  removeAdditional: true,
});
addFormats.default(formAjv);

export type Schema<T> = JSONSchemaType<T>;

export function compile<T>(schema: Schema<T> | object): ValidateFunction<T> {
  return ajv.compile<T>(schema as Schema<T>);
}

export function compileForm<T>(schema: Schema<T> | object): ValidateFunction<T> {
  return formAjv.compile<T>(schema as Schema<T>);
}

function fieldOf(error: ErrorObject): string {
  if (error.keyword === "required") return String(error.params.missingProperty);
  if (error.keyword === "additionalProperties") return String(error.params.additionalProperty);
  return error.instancePath.replace(/^\//, "").replace(/\//g, ".") || "(body)";
}

function keyOf(error: ErrorObject): { key: string; values?: Record<string, unknown> } {
  switch (error.keyword) {
    case "required":
      return { key: "errors.required" };
    case "minLength":
      return error.params.limit === 1
        ? { key: "errors.required" }
        : { key: "errors.minLength", values: { count: error.params.limit } };
    case "maxLength":
      return { key: "errors.maxLength", values: { count: error.params.limit } };
    case "minimum":
      return { key: "errors.minimum", values: { limit: error.params.limit } };
    case "maximum":
      return { key: "errors.maximum", values: { limit: error.params.limit } };
    case "format":
      return { key: `errors.format.${String(error.params.format)}` };
    case "enum":
      return { key: "errors.enum" };
    case "type":
      return { key: "errors.type", values: { type: error.params.type } };
    case "pattern":
      return { key: "errors.pattern" };
    case "additionalProperties":
      return { key: "errors.unknownField" };
    default:
      return { key: "errors.invalid" };
  }
}

/** Maps ajv errors to one message per field (the first one found). */
export function fieldErrors(errors: ErrorObject[] | null | undefined): FieldError[] {
  const seen = new Map<string, FieldError>();
  for (const error of errors ?? []) {
    const field = fieldOf(error);
    if (!seen.has(field)) seen.set(field, { field, ...keyOf(error) });
  }
  return [...seen.values()];
}

/** Human text for an API client: the field and what ajv expected. */
export function describe(
  errors: ErrorObject[] | null | undefined,
): { field: string; detail: string }[] {
  const seen = new Map<string, string>();
  for (const error of errors ?? []) {
    const field = fieldOf(error);
    if (seen.has(field)) continue;
    seen.set(field, error.keyword === "required" ? "is required" : (error.message ?? "is invalid"));
  }
  return [...seen].map(([field, detail]) => ({ field, detail }));
}
