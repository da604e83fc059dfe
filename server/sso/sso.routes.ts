// The sign-in through the CCAS's identity provider, and the sign-out that ends its session too.
import type express from "express";
import type { AppContext } from "../context.ts";
import { findUserById } from "../accounts/accounts.repo.ts";
import { HttpError } from "../http/errors.ts";
import { flash } from "../http/forms.ts";
import { ssoAdminRoutes } from "./sso.admin.ts";
import { currentOidc } from "./sso.settings.ts";
import {
  accountFor,
  endSessionUrl,
  finishLogin,
  startLogin,
  type PendingLogin,
} from "./sso.service.ts";

declare module "express-session" {
  interface SessionData {
    sso?: PendingLogin;
    ssoIdToken?: string;
  }
}

function localPath(value: unknown): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//")
    ? value
    : "/";
}

export function ssoRoutes(router: express.Router, ctx: AppContext): void {
  ssoAdminRoutes(router, ctx);
  const callback = new URL("/login/sso/callback", ctx.config.publicUrl).href;
  // The configuration may change while running (the admin page): read at each request.
  const configured = async () => {
    const oidc = await currentOidc(ctx);
    if (!oidc) throw new HttpError(404, "errors.notFound");
    return oidc;
  };

  router.get("/login/sso", async (req, res) => {
    const oidc = await configured();
    // An unreachable provider, or one whose metadata names another issuer, is refused here.
    const started = await startLogin(oidc, callback, localPath(req.session.returnTo)).catch(
      (error: unknown) => {
        ctx.log.warn({ err: error }, "OpenID provider discovery failed");
        throw new HttpError(502, "sso:errors.unavailable");
      },
    );
    const { url, pending } = started;
    req.session.sso = pending;
    res.redirect(303, url.href);
  });

  router.get("/login/sso/callback", async (req, res) => {
    const oidc = await configured();
    const pending = req.session.sso;
    // One use: a replayed or forged callback finds no pending sign-in.
    delete req.session.sso;
    const current = new URL(req.originalUrl, ctx.config.publicUrl);
    const claims = await finishLogin(oidc, current, pending);
    if (!claims.ok) throw new HttpError(400, `sso:errors.${claims.error}`);
    const account = await ctx.transaction((tx) => accountFor(tx.db, claims.value));
    if (!account.ok) throw new HttpError(400, `sso:errors.${account.error}`);
    const user = await findUserById(ctx.db, account.value.userId);
    if (!user) throw new HttpError(400, "sso:errors.claims");
    await new Promise<void>((resolve, reject) =>
      req.login(user, (error) => (error ? reject(error) : resolve())),
    );
    if (claims.value.idToken) req.session.ssoIdToken = claims.value.idToken;
    if (account.value.created) flash(req, "sso:created");
    res.redirect(303, pending!.returnTo);
  });

  router.post("/logout/sso", async (req, res, next) => {
    // Switched off since the member signed in: a plain sign-out.
    const oidc = await currentOidc(ctx);
    const idToken = oidc ? req.session.ssoIdToken : undefined;
    const after = new URL("/", ctx.config.publicUrl).href;
    const provider = oidc && idToken ? await endSessionUrl(oidc, idToken, after) : undefined;
    req.logout((error) => {
      if (error) return next(error);
      if (!provider) return res.redirect(303, "/");
      // The CSP's form-action keeps a form's redirects on this site: the browser goes on to the
      // provider from this page (at once through the Refresh header, or by its link).
      res.setHeader("Refresh", `0;url=${provider.href}`);
      res.render("sso/logout", {
        title: req.t("sso:logout", { name: oidc!.name }),
        link: provider.href,
      });
    });
  });
}
