import type { AppContext } from "../context.ts";
import type { ApiRegistry } from "../api/api-registry.ts";
import { HttpError } from "../http/errors.ts";
import { limiter } from "../http/rate-limit.ts";
import { loginLimiter } from "./login-limit.ts";
import { listApiTokens, revokeApiToken } from "./api-tokens.repo.ts";
import * as accounts from "./accounts.service.ts";
import type { User } from "./accounts.repo.ts";
import { apiAccountSchema, apiTokenRequestSchema } from "./accounts.schemas.ts";
import type { Language, Role } from "./accounts.tables.ts";

export const ACCOUNT_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string", format: "uuid" },
    username: { type: "string" },
    displayName: { type: "string" },
    email: { type: "string" },
    role: { type: "string", enum: ["member", "staff", "moderator", "admin"] },
    language: { type: "string" },
    emailConfirmed: { type: "boolean" },
    createdAt: { type: "string", format: "date-time" },
  },
} as const;

export function accountJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    displayName: user.displayName,
    email: user.email,
    role: user.role,
    language: user.language,
    emailConfirmed: user.emailConfirmed,
    createdAt: user.createdAt.toISOString(),
  };
}

const TOKEN_SCHEMA = {
  type: "object",
  properties: {
    id: { type: "string" },
    name: { type: "string" },
    createdAt: { type: "string", format: "date-time" },
    lastUsedAt: { type: ["string", "null"], format: "date-time" },
  },
} as const;

export function accountsApi(api: ApiRegistry, ctx: AppContext): void {
  const deps = { publicUrl: ctx.config.publicUrl };

  api.add<{ email: string; password: string; name?: string }>({
    method: "post",
    path: "/tokens",
    summary: "Obtain a bearer token with an e-mail and a password",
    tags: ["accounts"],
    auth: "none",
    body: apiTokenRequestSchema,
    before: loginLimiter(ctx, "token"),
    responses: {
      201: {
        description: "The token, shown only this once",
        schema: {
          type: "object",
          properties: { id: { type: "string" }, token: { type: "string" } },
        },
      },
      401: { description: "Wrong e-mail or password" },
    },
    async handler(req, res) {
      const result = await accounts.authenticate(ctx.db, req.body.email, req.body.password);
      if (!result.ok) {
        throw new HttpError(
          result.error === "unconfirmed" ? 403 : 401,
          `accounts:login.errors.${result.error}`,
        );
      }
      const issued = await accounts.issueApiToken(ctx.db, result.value.id, req.body.name ?? "API");
      res.status(201).json(issued);
    },
  });

  api.add({
    method: "get",
    path: "/tokens",
    summary: "List my active tokens",
    tags: ["accounts"],
    auth: "user",
    responses: {
      200: {
        description: "Tokens (their secrets are never shown again)",
        schema: { type: "array", items: TOKEN_SCHEMA },
      },
    },
    async handler(req, res) {
      const tokens = await listApiTokens(ctx.db, req.apiUser!.id);
      res.json(tokens);
    },
  });

  api.add({
    method: "delete",
    path: "/tokens/:id",
    summary: "Revoke one of my tokens",
    tags: ["accounts"],
    auth: "user",
    responses: { 204: { description: "Revoked" }, 404: { description: "No such token" } },
    async handler(req, res) {
      if (!(await revokeApiToken(ctx.db, req.apiUser!.id, String(req.params.id))))
        throw new HttpError(404, "errors.notFound");
      res.status(204).end();
    },
  });

  api.add({
    method: "get",
    path: "/me",
    summary: "My account",
    tags: ["accounts"],
    auth: "user",
    responses: { 200: { description: "The account of the token's owner", schema: ACCOUNT_SCHEMA } },
    handler(req, res) {
      res.json(accountJson(req.apiUser!));
    },
  });

  api.add<{
    email: string;
    password: string;
    username: string;
    displayName: string;
    language?: Language;
    role?: Role;
  }>({
    method: "post",
    path: "/accounts",
    summary: "Create an account (open sign-up, or any mode with an admin token)",
    tags: ["accounts"],
    auth: "optional",
    body: apiAccountSchema,
    before: limiter(ctx, {
      name: "signup-api",
      limit: 10,
      windowMs: 60_000,
      accountField: "email",
      // An admin creating the accounts of a whole office is not an anonymous sign-up wave.
      skip: (req) => req.apiUser?.role === "admin",
    }),
    responses: {
      201: { description: "Created by an admin", schema: ACCOUNT_SCHEMA },
      202: {
        description: "Sign-up received: a confirmation mail goes to the address if it can be used",
        schema: { type: "object", properties: { status: { type: "string" } } },
      },
      403: { description: "Sign-up is not open" },
      409: { description: "Username (or, for admins, e-mail) already taken" },
    },
    async handler(req, res) {
      const body = { ...req.body, username: req.body.username.toLowerCase() };
      const language = body.language ?? req.lang;
      if (req.apiUser?.role === "admin") {
        const result = await ctx.transaction((tx) =>
          accounts.createAccount(tx, { ...body, language, role: body.role ?? "member" }),
        );
        if (!result.ok) throw new HttpError(409, `accounts:signup.errors.${result.error}`);
        res.status(201).json(accountJson(result.value));
        return;
      }
      if (body.role !== undefined && body.role !== "member")
        throw new HttpError(403, "errors.forbidden", { detail: "only admins set a role" });
      const { registrationMode } = await ctx.settings.get();
      if (registrationMode !== "open") throw new HttpError(403, "accounts:signup.errors.closed");
      const result = await ctx.transaction((tx) =>
        accounts.signUp(tx, deps, "open", { ...body, language }),
      );
      if (!result.ok) throw new HttpError(409, `accounts:signup.errors.${result.error}`);
      res.status(202).json({ status: "pending_confirmation" });
    },
  });
}
