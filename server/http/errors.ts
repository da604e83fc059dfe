// One error shape for the whole HTTP surface: an HTML page for browsers, RFC 9457
// application/problem+json for the API and for federation endpoints.
export interface FieldError {
  field: string;
  /** Message key in the common catalogue (errors.*), with its values. */
  key: string;
  values?: Record<string, unknown>;
  /** Plain explanation for API clients, when a translated key is too coarse. */
  detail?: string | undefined;
}

export class HttpError extends Error {
  readonly status: number;
  /** Message key (i18n) for the title shown to people. */
  readonly key: string;
  readonly fields: FieldError[];
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    key: string,
    options: { detail?: string; fields?: FieldError[]; headers?: Record<string, string> } = {},
  ) {
    super(options.detail ?? key);
    this.name = "HttpError";
    this.status = status;
    this.key = key;
    this.fields = options.fields ?? [];
    this.headers = options.headers ?? {};
  }
}

export const notFound = () => new HttpError(404, "errors.notFound");
export const forbidden = () => new HttpError(403, "errors.forbidden");
export const unauthorized = () => new HttpError(401, "errors.unauthorized");
