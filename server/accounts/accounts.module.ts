// Accounts: sign-up, confirmation, sign-in, password reset, API tokens.
import type { Module } from "../modules/module.ts";
import { accountsApi } from "./accounts.api.ts";
import { accountRoutes } from "./accounts.routes.ts";

export const accountsModule: Module = { name: "accounts", routes: accountRoutes, api: accountsApi };
