// The administrator a benchmark's instance needs, made as /setup makes one: until one exists,
// every page leads to /setup and a benchmark would measure redirects.
import type { AppContext } from "../server/context.ts";
import { createAccount } from "../server/accounts/accounts.service.ts";

export async function createBenchAdmin(ctx: AppContext): Promise<void> {
  const admin = await ctx.transaction((tx) =>
    createAccount(tx, {
      email: "admin@bench.example",
      username: "banc",
      displayName: "Admin",
      password: "administration du banc",
      language: "fr",
      role: "admin",
    }),
  );
  if (!admin.ok) throw new Error(`the administrator: ${admin.error}`);
}
