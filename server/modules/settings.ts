// Types the module registry shares with the module contract (module.ts), kept apart so that
// the registry does not depend on the application context.
/**
 * A module's settings: a JSON Schema of an object whose properties are strings (optionally an
 * enum), integers, numbers or booleans, each with a `title` (a message key) and a `default`. The
 * Modules page renders it as a form and checks what is sent with ajv (ADR 0061).
 */
export interface ModuleSettings {
  schema: {
    type: "object";
    properties: Record<string, SettingSchema>;
    required?: string[];
    additionalProperties?: false;
  };
}

export interface SettingSchema {
  type: "string" | "integer" | "number" | "boolean";
  /** Message key of the field's label. */
  title: string;
  /** Message key of a hint under the field. */
  description?: string;
  default?: string | number | boolean;
  enum?: readonly string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
}

/** What a page of another module leaves open for others to fill (reviews under an offer). */
export interface SlotContent {
  /** A partial of the filling module (`reviews/offer-section`), rendered with `locals`. */
  partial: string;
  locals: Record<string, unknown>;
}
