import type express from "express";
import type { AppContext } from "../context.ts";
import type { ApiRegistry } from "../api/api-registry.ts";
import type { Role } from "../accounts/accounts.tables.ts";

export interface NavItem {
  href: string;
  /** Message key of the label. */
  label: string;
  /** Shown only to signed-in members with one of these roles (any signed-in member if empty). */
  roles?: Role[];
  signedIn?: boolean;
}

/** An entry of the administration side menu; `key` is the page's `section`. */
export interface AdminNavItem {
  href: string;
  label: string;
  key: string;
}

/** A feature plugs pages, API routes and navigation into the app. */
export interface Feature {
  name: string;
  nav?: NavItem[];
  adminNav?: AdminNavItem[];
  /** Routes mounted before the HTML stack (no session, no CSRF): feeds, well-known, media. */
  publicRoutes?(router: express.Router, ctx: AppContext): void;
  /** HTML routes, with session, CSRF protection and the signed-in member. */
  routes?(router: express.Router, ctx: AppContext): void;
  api?(api: ApiRegistry, ctx: AppContext): void;
  /** Stylesheets under /static that every page loads (the feature's blocks appear anywhere). */
  styles?: string[];
  /** Locals the home page shows for this feature (e.g. upcoming offers). */
  home?(req: express.Request, ctx: AppContext): Promise<Record<string, unknown>>;
}
