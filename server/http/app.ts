import crypto from "node:crypto";
import path from "node:path";
import compression from "compression";
import express from "express";
import session from "express-session";
import helmet from "helmet";
import { pinoHttp } from "pino-http";
import type { AppContext } from "../context.ts";
import { ApiRegistry } from "../api/api-registry.ts";
import { bearerAuth } from "../api/bearer-auth.ts";
import {
  DEFAULT_LANGUAGE,
  isLanguage,
  negotiateLanguage,
  translate,
  VIEWS_DIR,
} from "../i18n/i18n.ts";
import "./express-types.ts";
import { setupPassport } from "./auth.ts";
import type { Tx } from "../db/transaction.ts";
import { countUnreadConversations } from "../messages/messages.service.ts";
import { adminExists } from "../accounts/accounts.service.ts";
import { readDisplay } from "../members/display.ts";
import { countUnread } from "../notifications/notifications.repo.ts";
import { currentOidc } from "../sso/sso.settings.ts";
import { csrf, csrfProtection } from "./csrf.ts";
import { errorHandler, notFoundHandler } from "./error-handler.ts";
import { HttpError } from "./errors.ts";
import type { Module, NavItem } from "../modules/module.ts";
import { healthRoutes } from "./health.ts";
import { redactUrl } from "./redact.ts";
import { refuseNulInBody, refuseNulInUrl } from "./input.ts";
import { setupViews } from "./views.ts";
import { etagOf, PageCache } from "./page-cache.ts";
import { assetRoutes, assetUrl, moduleAssetRoutes } from "./assets.ts";
import { fileURLToPath } from "node:url";

/** Leaflet's dist folder (script, stylesheet, marker images), wherever npm put it. */
const LEAFLET_DIR = path.dirname(fileURLToPath(import.meta.resolve("leaflet/dist/leaflet.js")));

export interface AppOptions {
  /** Mounted before every body parser: Fedify reads the raw request itself. */
  federation?: express.RequestHandler;
}

export interface BuiltApp {
  app: express.Express;
  api: ApiRegistry;
}

function cookie(req: express.Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return undefined;
}

function trustProxy(value: string): string | number | boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  if (/^\d+$/.test(value)) return Number(value);
  return value;
}

function visibleNav(items: NavItem[], user: Express.User | undefined) {
  return items.filter((item) => {
    if (item.signedIn === false) return !user;
    if (item.roles?.length) return user !== undefined && item.roles.includes(user.role);
    if (item.signedIn) return user !== undefined;
    return true;
  });
}

export async function createApp(
  ctx: AppContext,
  features: readonly Module[],
  options: AppOptions = {},
): Promise<BuiltApp> {
  const { config } = ctx;
  const app = express();
  const secure = config.publicUrl.protocol === "https:";
  app.set("trust proxy", trustProxy(config.trustProxy));
  app.disable("x-powered-by");
  // The same strong validator whether a page is rendered or comes from the page cache.
  app.set("etag", (body: Buffer | string) => etagOf(body));
  setupViews(
    app,
    ctx.i18n,
    config.logLevel !== "debug",
    features.flatMap((f) => (f.views ? [f.views] : [])),
    ctx.fragments,
  );
  ctx.modules.attach(
    features.map((f) => ({
      name: f.name,
      slots: Object.fromEntries(
        Object.entries(f.slots ?? {}).map(([slot, fill]) => [
          slot,
          (req: express.Request, subject: Record<string, unknown>) => fill(req, ctx, subject),
        ]),
      ),
      ...(f.accountClosed
        ? { accountClosed: (tx: Tx, userId: string) => f.accountClosed!(tx, userId, ctx) }
        : {}),
      ...(f.settingsSaved
        ? {
            settingsSaved: (previous: Record<string, unknown>, saved: Record<string, unknown>) =>
              f.settingsSaved!(ctx, previous, saved),
          }
        : {}),
    })),
  );
  const on = (feature: Module) => ctx.modules.isEnabled(feature.name);
  // A plugin's routes sit in a router of their own, skipped while it is switched off, so that
  // they answer as if they did not exist (ADR 0061). Core modules share the routers.
  const mount = (
    parent: express.Router,
    feature: Module,
    register: (router: express.Router) => void,
  ) => {
    if (!ctx.modules.info(feature.name)?.plugin) return register(parent);
    const own = express.Router();
    register(own);
    parent.use((req, res, next) => (on(feature) ? own(req, res, next) : next()));
  };

  app.use(
    pinoHttp({
      logger: ctx.log,
      genReqId(req, res) {
        const given = req.headers["x-request-id"];
        const id =
          typeof given === "string" && /^[\w.-]{8,64}$/.test(given) ? given : crypto.randomUUID();
        res.setHeader("X-Request-Id", id);
        return id;
      },
      autoLogging: {
        ignore: (req) => req.url === "/healthz" || req.url?.startsWith("/static/") === true,
      },
      serializers: {
        // `ip` is the client's address as Express judges it (TRUST_PROXY), not the proxy's.
        req: (req: { id: unknown; method: string; url: string; raw?: { ip?: string } }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          ip: req.raw?.ip,
        }),
        res: (res: { statusCode: number }) => ({ status: res.statusCode }),
      },
    }),
  );
  // Pages are text and shrink four- to eightfold; behind a proxy that compresses, COMPRESS=0.
  if (config.compress) app.use(compression());
  app.use((req, _res, next) => {
    const chosen = cookie(req, "lang");
    req.lang = isLanguage(chosen)
      ? chosen
      : (negotiateLanguage(req.get("accept-language")) ?? DEFAULT_LANGUAGE);
    req.t = (key, values) => translate(ctx.i18n, req.lang, key, values);
    next();
  });
  const pages = new PageCache({
    maxAge: config.pageCacheSeconds,
    staleWhileRevalidate: config.pageCacheSeconds * 6,
    compress: config.compress,
  });
  app.use(pages.watchWrites());
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'"],
          "style-src": ["'self'"],
          // Nothing from another site (RGPD): remote avatars are not shown, images are ours.
          "img-src": ["'self'", "data:", ...(ctx.config.map ? [ctx.config.map.tileOrigin] : [])],
          "font-src": ["'self'"],
          "connect-src": ["'self'"],
          "form-action": ["'self'"],
          "frame-ancestors": ["'none'"],
          "object-src": ["'none'"],
          "base-uri": ["'self'"],
          ...(secure ? { "upgrade-insecure-requests": [] } : {}),
        },
      },
      strictTransportSecurity: secure ? { maxAge: 15552000 } : false,
      crossOriginEmbedderPolicy: false,
    }),
  );
  app.use(assetRoutes());
  // Modules' own static files (a plugin's stylesheet), fingerprinted as views/static's (ADR 0142);
  // a plugin switched off takes them away with its pages.
  const moduleAssets = express.Router();
  for (const feature of features) {
    const dir = feature.static;
    if (dir) mount(moduleAssets, feature, (r) => r.use(moduleAssetRoutes(feature.name, dir)));
  }
  app.use(moduleAssets);
  app.use(
    "/static",
    express.static(path.join(VIEWS_DIR, "static"), { maxAge: "1h", index: false }),
  );
  // The map library, served from our own origin (no CDN, ADR 0124), fingerprinted as the rest.
  app.use(moduleAssetRoutes("vendor/leaflet", LEAFLET_DIR));
  app.use(healthRoutes(ctx));
  // Pages modules list as public, already kept: sent before anything below runs (ADR 0150).
  const cachedPages = ["/", ...features.flatMap((f) => f.cachedPages ?? [])];
  app.get(cachedPages, pages.serveKept());
  // Another process may have switched a plugin: the registry's cache lives a few seconds.
  app.use((_req, _res, next) => {
    ctx.modules.fresh().then(() => next(), next);
  });
  app.use(refuseNulInUrl);
  if (options.federation) app.use(options.federation);

  const publicRouter = express.Router();
  for (const feature of features)
    if (feature.publicRoutes) mount(publicRouter, feature, (r) => feature.publicRoutes!(r, ctx));
  app.use(publicRouter);

  // JSON API: bearer tokens only, never cookies, so it needs no CSRF protection.
  const api = new ApiRegistry();
  for (const feature of features)
    feature.api?.(ctx.modules.info(feature.name)?.plugin ? api.forModule(feature.name) : api, ctx);
  const enabled = (name: string) => ctx.modules.isEnabled(name);
  app.get("/api/v1/openapi.json", async (_req, res) => {
    res.json(api.openapi(config.publicUrl, (await ctx.settings.get()).name, enabled));
  });
  // The catalogue's listing, as its page: public answers kept a few seconds (ADR 0150).
  app.get("/api/v1/offers", pages.serveApi());
  app.use(
    "/api/v1",
    express.json({ limit: "1mb", type: ["application/json", "application/*+json"] }),
    refuseNulInBody,
    bearerAuth(ctx),
    api.router(enabled),
    notFoundHandler(),
  );

  // Pages. Those modules list as public are answered from the page cache, when they can be,
  // before the session is read (ADR 0150).
  app.get(cachedPages, pages.serve());
  app.use(pages.headers());
  const settings = await ctx.settings.get();
  const passport = setupPassport(ctx);
  const { generateToken } = csrf;
  const html = express.Router();
  html.use(express.urlencoded({ extended: false, limit: "200kb" }), refuseNulInBody);
  html.use(
    session({
      name: "maillage.sid",
      secret: settings.sessionSecret,
      store: ctx.sessions,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      proxy: true,
      cookie: { httpOnly: true, sameSite: "lax", secure, maxAge: 30 * 24 * 3600_000 },
    }),
  );
  html.use(passport.initialize());
  html.use(passport.session());
  html.use(csrfProtection(config.publicUrl.origin));
  // What a plugin switched off adds to every page goes with it.
  const nav = () => features.filter(on).flatMap((f) => f.nav ?? []);
  const adminMenu = () => features.filter(on).flatMap((f) => f.adminNav ?? []);
  // Once each: two modules may share a stylesheet (the idea box and the budgets do).
  const featureStyles = () => [
    ...new Set(
      features
        .filter(on)
        .flatMap((f) => f.styles ?? [])
        .map(assetUrl),
    ),
  ];
  // Until the first admin exists, every page leads to /setup (once one exists, it stays so). The
  // login page, the language switch and the password pages stay reachable (an admin created from
  // ADMIN_EMAIL in another process may need them); static files, health, the API and federation
  // are answered before this router.
  let adminKnown = false;
  html.use(async (req, res, next) => {
    if (req.user && !cookie(req, "lang")) req.lang = req.user.language;
    if (!adminKnown) adminKnown = await adminExists(ctx.db);
    if (
      !adminKnown &&
      (req.method === "GET" || req.method === "HEAD") &&
      !SETUP_REACHABLE.test(req.path) &&
      req.accepts(["html", "json"]) === "html"
    )
      return res.redirect(303, "/setup");
    // Independent reads, at once; an anonymous visitor needs none of the member's.
    const user = req.user;
    const [instance, unreadCount, messagesUnread, display, oidc] = await Promise.all([
      ctx.settings.get(),
      user ? countUnread(ctx.db, user.id) : 0,
      user ? countUnreadConversations(ctx.db, user.id) : 0,
      user ? readDisplay(ctx.db, user.id) : undefined,
      // The environment's or the administrator's (server/sso, ADR 0092), behind a short cache.
      currentOidc(ctx),
    ]);
    const flashMessage = req.session.flash;
    if (flashMessage) {
      delete req.session.flash;
      res.locals.pagePrivate = true;
    }
    Object.assign(res.locals, {
      lang: req.lang,
      otherLang: req.lang === "fr" ? "en" : "fr",
      user: req.user,
      isAdmin: req.user?.role === "admin",
      adminMenu: adminMenu(),
      unreadCount,
      messagesUnread,
      sso: oidc ? { name: oidc.name, passwords: oidc.passwords } : undefined,
      // A function, so that only pages with a form create a session (Handlebars calls it).
      csrfToken: () => {
        res.locals.pagePrivate = true;
        return generateToken(req);
      },
      featureStyles: featureStyles(),
      instance: {
        name: instance.name,
        description: instance.description,
        territory: instance.territory,
        contactEmail: instance.contactEmail,
        hasLogo: instance.hasLogo,
        version: instance.updatedAt.getTime(),
      },
      nav: visibleNav(nav(), req.user).map((item) => ({
        ...item,
        current:
          req.path === item.href || (item.href !== "/" && req.path.startsWith(item.href + "/")),
      })),
      flash: flashMessage
        ? translate(ctx.i18n, req.lang, flashMessage.key, flashMessage.values)
        : undefined,
      currentPath: req.originalUrl,
      needsSetup: !adminKnown && req.path !== "/setup",
      // The member's text size and contrast, as classes on <body> (views/static/layout.css).
      display: display && {
        textSize: display.textSize === "normal" ? undefined : display.textSize,
        contrast: display.highContrast,
      },
      timeZone: config.timezone,
    });
    next();
  });
  // The home page gathers a block from each feature that has one.
  html.get("/", async (req, res, next) => {
    const homeBlocks: unknown[] = [];
    for (const feature of features)
      if (feature.home && on(feature)) {
        const { homeBlock, ...locals } = await feature.home(req, ctx);
        if (homeBlock) homeBlocks.push(homeBlock);
        Object.assign(res.locals, locals);
      }
    res.locals.homeBlocks = homeBlocks;
    next();
  });
  for (const feature of features)
    if (feature.routes) mount(html, feature, (r) => feature.routes!(r, ctx));
  app.use(html);
  app.use(notFoundHandler());
  app.use(errorHandler(ctx.i18n, ctx.log));
  return { app, api };
}

/** Pages that stay reachable while the instance has no admin yet. */
const SETUP_REACHABLE =
  /^\/(?:setup|login|logout|lang\/[^/]+|password\/.*|favicon\.ico|robots\.txt)$/;

export { HttpError };
