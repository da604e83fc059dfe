// Types that Express, Passport and express-session carry for us.
import type { User as AppUser } from "../accounts/accounts.repo.ts";
import type { Language } from "../accounts/accounts.tables.ts";

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface User extends AppUser {}
    interface Request {
      lang: Language;
      /** Translates a message key in the request's language. */
      t(key: string, values?: Record<string, unknown>): string;
      /** Set by the API's bearer authentication. */
      apiUser?: AppUser;
    }
  }
}

declare module "express-session" {
  interface SessionData {
    flash?: { key: string; values?: Record<string, string | number> };
    returnTo?: string;
  }
}

export {};
