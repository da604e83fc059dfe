import type express from "express";
import type { AppContext } from "../context.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { HttpError } from "../http/errors.ts";
import { limiter } from "../http/rate-limit.ts";
import { loginLimiter } from "./login-limit.ts";
import { handlers } from "../http/handlers.ts";
import { compileForm } from "../http/validate.ts";
import * as accounts from "./accounts.service.ts";
import {
  emailOnlySchema,
  loginSchema,
  newPasswordSchema,
  setupSchema,
  signUpSchema,
  type SignUpForm,
} from "./accounts.schemas.ts";

const validateSignUp = compileForm<SignUpForm>(signUpSchema);
const validateLogin = compileForm<{ email: string; password: string }>(loginSchema);
const validateEmail = compileForm<{ email: string }>(emailOnlySchema);
const validateNewPassword = compileForm<{ password: string; confirm: string }>(newPasswordSchema);
const validateSetup = compileForm<Omit<SignUpForm, "invitation">>(setupSchema);

/** Where to go after login: only a path on this site, never another origin. */
function safeReturn(target: unknown): string {
  return typeof target === "string" && target.startsWith("/") && !target.startsWith("//")
    ? target
    : "/";
}

function logIn(req: express.Request, user: Express.User): Promise<void> {
  return new Promise((resolve, reject) =>
    req.login(user, (error) => (error ? reject(error) : resolve())),
  );
}

type Req = express.Request;
type Res = express.Response;

export function accountRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);
  const minute = 60_000;
  const loginLimit = loginLimiter(ctx, "login");
  const signupLimit = limiter(ctx, {
    name: "signup",
    limit: 10,
    windowMs: minute,
    accountField: "email",
  });
  const resetLimit = limiter(ctx, {
    name: "reset",
    limit: 10,
    windowMs: minute,
    accountField: "email",
  });

  router.get("/signup", on(signupForm));
  router.post("/signup", ...signupLimit, on(signUp));
  router.get("/signup/check-email", on(checkEmail));
  router.get("/confirm/resend", on(resendForm));
  router.post("/confirm/resend", ...signupLimit, on(resend));
  router.get("/confirm/:token", on(confirm));
  router.get("/login", on(loginForm));
  router.post("/login", ...loginLimit, on(logInWithPassword));
  router.post("/logout", (req, res, next) => {
    req.logout((error) => {
      if (error) return next(error);
      flash(req, "accounts:logout.done");
      res.redirect(303, "/");
    });
  });

  router.get("/password/forgot", on(forgotForm));
  router.post("/password/forgot", ...resetLimit, on(forgot));
  router.get("/password/reset/:token", on(resetForm));
  router.post("/password/reset/:token", ...resetLimit, on(reset));

  // One-time setup: reachable only while the instance has no admin.
  const setupOpen: express.RequestHandler = async (_req, _res, next) => {
    if (await accounts.adminExists(ctx.db)) return next(new HttpError(404, "errors.notFound"));
    next();
  };

  router.get("/setup", setupOpen, on(setupForm));
  router.post("/setup", ...signupLimit, setupOpen, on(setUp));
}

async function signupForm(ctx: AppContext, req: Req, res: Res) {
  const { registrationMode } = await ctx.settings.get();
  const invitation = typeof req.query.invitation === "string" ? req.query.invitation : undefined;
  if (registrationMode === "closed")
    return res.render("accounts/signup-closed", { title: req.t("accounts:signup.closedTitle") });
  if (registrationMode === "invitation" && !invitation) {
    return res.render("accounts/signup-closed", {
      title: req.t("accounts:signup.invitationTitle"),
      invitationOnly: true,
    });
  }
  renderForm(res, "accounts/signup", ctx.i18n, req, {
    title: req.t("accounts:signup.title"),
    values: { invitation },
  });
}

async function signUp(ctx: AppContext, req: Req, res: Res) {
  const deps = { publicUrl: ctx.config.publicUrl };
  const { registrationMode } = await ctx.settings.get();
  const form = parseForm(validateSignUp, req.body);
  const view = { title: req.t("accounts:signup.title") };
  if (!form.ok)
    return renderForm(res, "accounts/signup", ctx.i18n, req, {
      ...view,
      values: req.body as object,
      errors: form.errors,
    });
  const input = {
    ...form.value,
    username: form.value.username.toLowerCase(),
    language: req.lang,
  };
  const result = await ctx.transaction((tx) => accounts.signUp(tx, deps, registrationMode, input));
  if (!result.ok) {
    if (result.error === "username_taken" || result.error === "username_reserved") {
      return renderForm(res, "accounts/signup", ctx.i18n, req, {
        ...view,
        values: req.body as object,
        errors: [{ field: "username", key: `accounts:signup.errors.${result.error}` }],
      });
    }
    throw new HttpError(403, `accounts:signup.errors.${result.error}`);
  }
  res.redirect(303, "/signup/check-email");
}

function checkEmail(ctx: AppContext, req: Req, res: Res) {
  res.render("accounts/check-email", { title: req.t("accounts:checkEmail.title") });
}

function resendForm(ctx: AppContext, req: Req, res: Res) {
  renderForm(res, "accounts/resend", ctx.i18n, req, { title: req.t("accounts:resend.title") });
}

async function resend(ctx: AppContext, req: Req, res: Res) {
  const deps = { publicUrl: ctx.config.publicUrl };
  const form = parseForm(validateEmail, req.body);
  if (!form.ok) {
    return renderForm(res, "accounts/resend", ctx.i18n, req, {
      title: req.t("accounts:resend.title"),
      values: req.body as object,
      errors: form.errors,
    });
  }
  await ctx.transaction((tx) => accounts.resendConfirmation(tx, deps, form.value.email));
  res.redirect(303, "/signup/check-email");
}

async function confirm(ctx: AppContext, req: Req, res: Res) {
  const result = await accounts.confirmEmail(ctx.db, String(req.params.token));
  res.status(result.ok ? 200 : 400).render("accounts/confirmed", {
    title: req.t(result.ok ? "accounts:confirmed.title" : "accounts:confirmed.failedTitle"),
    ok: result.ok,
    reason: result.ok ? undefined : result.error,
  });
}

function loginForm(ctx: AppContext, req: Req, res: Res) {
  // "Sign in to register" links say where they come from: the member goes back there.
  const next = req.query.next;
  if (typeof next === "string" && safeReturn(next) === next) req.session.returnTo = next;
  if (req.user) return res.redirect(303, typeof next === "string" ? safeReturn(next) : "/");
  renderForm(res, "accounts/login", ctx.i18n, req, { title: req.t("accounts:login.title") });
}

async function logInWithPassword(ctx: AppContext, req: Req, res: Res) {
  const view = { title: req.t("accounts:login.title") };
  const form = parseForm(validateLogin, req.body);
  const values = { email: (req.body as { email?: string }).email };
  if (!form.ok)
    return renderForm(res, "accounts/login", ctx.i18n, req, {
      ...view,
      values,
      errors: form.errors,
    });
  const result = await accounts.authenticate(ctx.db, form.value.email, form.value.password);
  if (!result.ok) {
    return renderForm(
      res,
      "accounts/login",
      ctx.i18n,
      req,
      {
        ...view,
        values,
        unconfirmed: result.error === "unconfirmed",
        errors: [{ field: "email", key: `accounts:login.errors.${result.error}` }],
      },
      401,
    );
  }
  const returnTo = safeReturn(req.session.returnTo);
  await logIn(req, result.value);
  res.redirect(303, returnTo);
}

function forgotForm(ctx: AppContext, req: Req, res: Res) {
  renderForm(res, "accounts/forgot", ctx.i18n, req, { title: req.t("accounts:forgot.title") });
}

async function forgot(ctx: AppContext, req: Req, res: Res) {
  const deps = { publicUrl: ctx.config.publicUrl };
  const form = parseForm(validateEmail, req.body);
  if (!form.ok) {
    return renderForm(res, "accounts/forgot", ctx.i18n, req, {
      title: req.t("accounts:forgot.title"),
      values: req.body as object,
      errors: form.errors,
    });
  }
  await ctx.transaction((tx) => accounts.requestPasswordReset(tx, deps, form.value.email));
  res.render("accounts/forgot-sent", { title: req.t("accounts:forgot.sentTitle") });
}

async function resetForm(ctx: AppContext, req: Req, res: Res) {
  const usable = await accounts.isResetTokenUsable(ctx.db, String(req.params.token));
  renderForm(
    res,
    "accounts/reset",
    ctx.i18n,
    req,
    { title: req.t("accounts:reset.title"), usable },
    usable ? 200 : 400,
  );
}

async function reset(ctx: AppContext, req: Req, res: Res) {
  const view = { title: req.t("accounts:reset.title"), usable: true };
  const form = parseForm(validateNewPassword, req.body);
  if (!form.ok)
    return renderForm(res, "accounts/reset", ctx.i18n, req, { ...view, errors: form.errors });
  if (form.value.password !== form.value.confirm) {
    return renderForm(res, "accounts/reset", ctx.i18n, req, {
      ...view,
      errors: [{ field: "confirm", key: "accounts:reset.mismatch" }],
    });
  }
  const result = await ctx.transaction((tx) =>
    accounts.resetPassword(tx.db, String(req.params.token), form.value.password),
  );
  if (!result.ok)
    return renderForm(res, "accounts/reset", ctx.i18n, req, { ...view, usable: false }, 400);
  await ctx.sessions.revokeUser(result.value.id);
  flash(req, "accounts:reset.done");
  res.redirect(303, "/login");
}

function setupForm(ctx: AppContext, req: Req, res: Res) {
  renderForm(res, "accounts/setup", ctx.i18n, req, { title: req.t("accounts:setup.title") });
}

async function setUp(ctx: AppContext, req: Req, res: Res) {
  const view = { title: req.t("accounts:setup.title") };
  const form = parseForm(validateSetup, req.body);
  if (!form.ok)
    return renderForm(res, "accounts/setup", ctx.i18n, req, {
      ...view,
      values: req.body as object,
      errors: form.errors,
    });
  const result = await ctx.transaction(async (tx) => {
    if (await accounts.adminExists(tx.db)) return undefined;
    return accounts.createAccount(tx, {
      ...form.value,
      username: form.value.username.toLowerCase(),
      language: req.lang,
      role: "admin",
    });
  });
  if (!result) throw new HttpError(404, "errors.notFound");
  if (!result.ok) {
    const field = result.error === "email_taken" ? "email" : "username";
    return renderForm(res, "accounts/setup", ctx.i18n, req, {
      ...view,
      values: req.body as object,
      errors: [{ field, key: `accounts:setup.errors.${result.error}` }],
    });
  }
  await logIn(req, result.value);
  flash(req, "accounts:setup.done");
  res.redirect(303, "/admin/settings");
}
