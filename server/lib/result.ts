/** An expected outcome of a domain operation: a value, or a named failure the caller maps. */
export type Result<T, E extends string = string> =
  { ok: true; value: T } | { ok: false; error: E; details?: Record<string, unknown> };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E extends string>(error: E, details?: Record<string, unknown>) =>
  ({ ok: false, error, ...(details ? { details } : {}) }) as {
    ok: false;
    error: E;
    details?: Record<string, unknown>;
  };
