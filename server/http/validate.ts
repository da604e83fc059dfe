// One schema language (JSON Schema, compiled by ajv) for API bodies, HTML forms and incoming
// ActivityStreams payloads.
import { Ajv, type ErrorObject, type JSONSchemaType, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import type { FieldError } from "./errors.ts";

// strictNumbers: "1e309" coerces to Infinity, which is not a number anyone meant.
const ajv = new Ajv({
  allErrors: true,
  coerceTypes: false,
  useDefaults: true,
  removeAdditional: false,
  strictNumbers: true,
});
/** Forms arrive as strings: this twin coerces "3" to 3 and "on" stays a string. */
const formAjv = new Ajv({
  allErrors: true,
  coerceTypes: true,
  useDefaults: true,
  removeAdditional: true,
  strictNumbers: true,
});

// Dates the database and JavaScript both hold: year 0000 turns into "-000001-12-31T…" on the
// way to SQL. Years 1000–9999 cover every birth, offer and search.
type StringFormat = {
  validate: (value: string) => boolean;
  compare: (a: string, b: string) => number;
};
for (const instance of [ajv, formAjv]) {
  // Ajv checks nothing more on a number that coercion made infinite ("1e400" passes `maximum`).
  instance.addKeyword({
    keyword: "finite",
    schemaType: "boolean",
    validate: (_: boolean, data: unknown) => typeof data !== "number" || Number.isFinite(data),
    errors: false,
  });
  addFormats.default(instance);
  for (const name of ["date", "date-time"] as const) {
    const base = addFormats.default.get(name) as StringFormat;
    instance.addFormat(name, {
      type: "string",
      validate: (value: string) => /^[1-9]\d{3}-/.test(value) && base.validate(value),
      compare: base.compare,
    });
  }
}

export type Schema<T> = JSONSchemaType<T>;

const INT4_MAX = 2_147_483_647;

/**
 * Integers are stored in 4-byte columns: a schema that sets no bounds gets theirs, so 1e15 is a
 * validation error, not a database one; and every number must be finite.
 */
function bounded(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(bounded);
  if (node === null || typeof node !== "object") return node;
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) copy[key] = bounded(value);
  const type = copy.type;
  const integer = type === "integer" || (Array.isArray(type) && type.includes("integer"));
  if (integer) {
    copy.maximum ??= INT4_MAX;
    copy.minimum ??= -INT4_MAX - 1;
  }
  const numeric = integer || type === "number" || (Array.isArray(type) && type.includes("number"));
  if (numeric) copy.finite = true;
  return copy;
}

/**
 * A validator compiled at its first use. Routes declare theirs when their module loads: compiled
 * then, they cost every process a few hundred milliseconds of CPU at boot (about 0.3 s in a
 * PROCESS_ROLE=worker process, which serves no form), and each web process of a cluster pays
 * it again. A schema ajv refuses now fails at the first validation instead of at import; the
 * suite's form and API tests use them all.
 */
function lazily<T>(instance: Ajv, schema: Schema<T> | object): ValidateFunction<T> {
  let compiled: ValidateFunction<T> | undefined;
  const real = () => (compiled ??= instance.compile<T>(bounded(schema) as Schema<T>));
  declare(real);
  const validate = function (this: unknown, data: unknown, context?: unknown) {
    const fn = real();
    const ok = (fn as (this: unknown, ...args: unknown[]) => boolean).call(this, data, context);
    validate.errors = fn.errors;
    return ok;
  } as ValidateFunction<T>;
  validate.errors = null;
  for (const name of ["schema", "schemaEnv", "source", "evaluated"] as const)
    Object.defineProperty(validate, name, { get: () => real()[name], enumerable: true });
  return validate;
}

/**
 * Every validator declared so far, to compile them all at once (compileDeclared). Weakly held: an
 * app that is let go (each test instance builds its own) takes its validators with it.
 */
const declared = new Set<WeakRef<() => unknown>>();

function declare(real: () => unknown): void {
  if (declared.size >= 10_000) for (const ref of declared) if (!ref.deref()) declared.delete(ref);
  declared.add(new WeakRef(real));
}

/**
 * Compiles every validator declared so far and returns the errors of those ajv refuses: the
 * suite calls it once the whole app (its modules and plugins) is loaded, so that a schema
 * mistake still fails a test rather than a member's first submission.
 */
export function compileDeclared(): { count: number; errors: string[] } {
  const errors: string[] = [];
  let count = 0;
  for (const ref of declared) {
    const real = ref.deref();
    if (!real) {
      declared.delete(ref);
      continue;
    }
    count++;
    try {
      real();
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { count, errors };
}

export function compile<T>(schema: Schema<T> | object): ValidateFunction<T> {
  return lazily(ajv, schema);
}

export function compileForm<T>(schema: Schema<T> | object): ValidateFunction<T> {
  return lazily(formAjv, schema);
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
