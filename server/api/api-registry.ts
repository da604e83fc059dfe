// Every API route is declared once, with its schemas: the same declaration mounts the Express
// handler (auth, validation) and writes the OpenAPI 3.1 document, so the document cannot drift.
import express from "express";
import type { ValidateFunction } from "ajv";
import type { Role } from "../accounts/accounts.tables.ts";
import type { User } from "../accounts/accounts.repo.ts";
import { HttpError } from "../http/errors.ts";
import { compile, compileForm, fieldErrors, describe } from "../http/validate.ts";

export type ApiAuth = "none" | "optional" | "user" | readonly Role[];
type Method = "get" | "post" | "patch" | "put" | "delete";

export interface ApiResponseSpec {
  description: string;
  schema?: object;
  contentType?: string;
}

export interface ApiRoute<B = unknown, Q = Record<string, unknown>> {
  method: Method;
  /** Express-style path under /api/v1, e.g. /offers/:id */
  path: string;
  summary: string;
  tags: string[];
  auth: ApiAuth;
  body?: object;
  query?: { properties: Record<string, object>; required?: string[] };
  responses: Record<number, ApiResponseSpec>;
  /** Extra middleware run before validation (e.g. rate limits). */
  before?: express.RequestHandler[];
  handler(req: ApiRequest<B, Q>, res: express.Response): Promise<unknown> | unknown;
}

export interface ApiRequest<B, Q> extends express.Request {
  body: B;
  validQuery: Q;
  apiUser?: User;
}

export const PROBLEM_SCHEMA = {
  type: "object",
  required: ["title", "status"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    detail: { type: "string" },
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: {
          field: { type: "string" },
          pointer: { type: "string" },
          detail: { type: "string" },
        },
      },
    },
  },
} as const;

function needsUser(auth: ApiAuth): boolean {
  return auth !== "none" && auth !== "optional";
}

function guard(auth: ApiAuth): express.RequestHandler {
  return (req, _res, next) => {
    if (!needsUser(auth)) return next();
    if (!req.apiUser) {
      return next(
        new HttpError(401, "errors.unauthorized", {
          headers: { "WWW-Authenticate": 'Bearer realm="maillage"' },
        }),
      );
    }
    if (Array.isArray(auth) && !auth.includes(req.apiUser.role))
      return next(new HttpError(403, "errors.forbidden"));
    next();
  };
}

function gate(open: () => boolean): express.RequestHandler {
  return (_req, _res, next) => (open() ? next() : next("route"));
}

function validator(
  validate: ValidateFunction,
  pick: (req: express.Request) => unknown,
  store?: (req: express.Request, v: unknown) => void,
): express.RequestHandler {
  return (req, _res, next) => {
    const value = pick(req) ?? {};
    if (!validate(value)) {
      const details = describe(validate.errors);
      const fields = fieldErrors(validate.errors).map((f) => ({
        ...f,
        detail: details.find((d) => d.field === f.field)?.detail,
      }));
      return next(new HttpError(400, "errors.validation", { fields }));
    }
    store?.(req, value);
    next();
  };
}

type Registered = ApiRoute<never, never> & { module?: string };

export class ApiRegistry {
  readonly routes: Registered[];
  readonly #module: string | undefined;

  constructor(routes: Registered[] = [], module?: string) {
    this.routes = routes;
    this.#module = module;
  }

  /** The same registry, marking what it adds as that module's (switched off: absent). */
  forModule(module: string): ApiRegistry {
    return new ApiRegistry(this.routes, module);
  }

  add<B, Q = Record<string, unknown>>(route: ApiRoute<B, Q>): void {
    this.routes.push({
      ...(route as unknown as ApiRoute<never, never>),
      ...(this.#module ? { module: this.#module } : {}),
    });
  }

  /** `isEnabled` answers for the routes of modules that can be switched off (plugins). */
  router(isEnabled: (module: string) => boolean = () => true): express.Router {
    const router = express.Router();
    for (const route of this.routes) {
      const { module } = route;
      const chain: express.RequestHandler[] = [
        // A module switched off: as if the route did not exist (the API's 404).
        ...(module ? [gate(() => isEnabled(module))] : []),
        ...(route.before ?? []),
        guard(route.auth),
      ];
      if (route.body) {
        chain.push(validator(compile(route.body), (req) => req.body as unknown));
      }
      const query = route.query;
      if (query) {
        const schema = {
          type: "object",
          properties: query.properties,
          required: query.required ?? [],
        };
        chain.push(
          validator(
            compileForm(schema),
            (req) => ({ ...(req.query as object) }),
            (req, v) => {
              (req as ApiRequest<unknown, unknown>).validQuery = v;
            },
          ),
        );
      } else {
        chain.push((req, _res, next) => {
          (req as ApiRequest<unknown, unknown>).validQuery = {};
          next();
        });
      }
      chain.push(async (req, res) => {
        await route.handler(req as ApiRequest<never, never>, res);
      });
      router[route.method](route.path, ...chain);
    }
    return router;
  }

  openapi(
    publicUrl: URL,
    title: string,
    isEnabled: (module: string) => boolean = () => true,
  ): object {
    const paths: Record<string, Record<string, object>> = {};
    for (const route of this.routes) {
      if (route.module && !isEnabled(route.module)) continue;
      const path = route.path.replace(/:([A-Za-z_]+)/g, "{$1}");
      const parameters = [
        ...[...route.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({
          name: m[1],
          in: "path",
          required: true,
          schema: { type: "string" },
        })),
        ...Object.entries(route.query?.properties ?? {}).map(([name, schema]) => ({
          name,
          in: "query",
          required: route.query?.required?.includes(name) ?? false,
          schema,
        })),
      ];
      const responses: Record<string, object> = {};
      for (const [status, spec] of Object.entries(route.responses)) {
        responses[status] = {
          description: spec.description,
          ...(spec.schema
            ? { content: { [spec.contentType ?? "application/json"]: { schema: spec.schema } } }
            : {}),
        };
      }
      responses.default = {
        description: "Error",
        content: {
          "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } },
        },
      };
      (paths[path] ??= {})[route.method] = {
        summary: route.summary,
        tags: route.tags,
        operationId: `${route.method}${path.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ?? "").toUpperCase())}`,
        ...(parameters.length ? { parameters } : {}),
        ...(route.body
          ? {
              requestBody: {
                required: true,
                content: { "application/json": { schema: route.body } },
              },
            }
          : {}),
        ...(needsUser(route.auth)
          ? { security: [{ bearer: [] }] }
          : route.auth === "optional"
            ? { security: [{}, { bearer: [] }] }
            : {}),
        responses,
      };
    }
    return {
      openapi: "3.1.0",
      info: {
        title: `${title} API`,
        version: "1.0.0",
        description: "Maillage JSON API. Errors are application/problem+json (RFC 9457).",
      },
      servers: [{ url: new URL("/api/v1", publicUrl).href }],
      components: {
        securitySchemes: { bearer: { type: "http", scheme: "bearer" } },
        schemas: { Problem: PROBLEM_SCHEMA },
      },
      paths,
    };
  }
}
