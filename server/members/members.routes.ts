import type express from "express";
import type { AppContext } from "../context.ts";
import { RELATIONS } from "../accounts/accounts.tables.ts";
import { changePassword, issueApiToken } from "../accounts/accounts.service.ts";
import { listApiTokens, revokeApiToken } from "../accounts/api-tokens.repo.ts";
import { requireUser } from "../http/auth.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { HttpError } from "../http/errors.ts";
import { handlers } from "../http/handlers.ts";
import { compileForm } from "../http/validate.ts";
import type { FieldError } from "../http/errors.ts";
import { listSlvies } from "../instance/instance.repo.ts";
import * as members from "./members.service.ts";
import { displayRoutes, readDisplay, TEXT_SIZES } from "./display.ts";
import { avatarRoutes, avatarsOf, BIO_MAX, readBio } from "./avatar.ts";
import { publicProfileRoutes } from "./public-profile.ts";
import { deleteAccount, deletionDeps } from "../privacy/deletion.service.ts";
import {
  familyFormSchema,
  notificationsFormSchema,
  passwordFormSchema,
  profileFormSchema,
  tokenFormSchema,
  type FamilyForm,
  type NotificationsForm,
  type ProfileForm,
} from "./members.schemas.ts";

const validateProfile = compileForm<ProfileForm>(profileFormSchema);
const validateFamily = compileForm<FamilyForm>(familyFormSchema);
const validateNotifications = compileForm<NotificationsForm>(notificationsFormSchema);
const validatePassword = compileForm<{ current: string; password: string; confirm: string }>(
  passwordFormSchema,
);
const validateToken = compileForm<{ name: string }>(tokenFormSchema);

type Req = express.Request;
type Res = express.Response;
const me = (req: Req) => req.user!;

async function profilePage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  values?: object,
  errors?: FieldError[],
) {
  const user = me(req);
  renderForm(res, "members/profile", ctx.i18n, req, {
    title: req.t("members:profile.title"),
    section: "profile",
    slvies: await listSlvies(ctx.db),
    display: await readDisplay(ctx.db, user.id),
    textSizes: TEXT_SIZES,
    hasAvatar: (await avatarsOf(ctx.db, [user.id])).has(user.id),
    bio: await readBio(ctx.db, user.id),
    bioMax: BIO_MAX,
    values: values ?? {
      displayName: user.displayName,
      username: user.username,
      homeSlvieId: user.homeSlvieId,
      language: user.language,
      discoverable: user.discoverable,
    },
    errors,
  });
}

async function familyPage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  values?: object,
  errors?: FieldError[],
) {
  renderForm(res, "members/family", ctx.i18n, req, {
    title: req.t("members:family.title"),
    section: "family",
    family: await members.listFamily(ctx.db, me(req).id),
    relations: RELATIONS,
    values,
    errors,
  });
}

async function securityPage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  extra: { errors?: FieldError[]; newToken?: string } = {},
) {
  renderForm(res, "members/security", ctx.i18n, req, {
    title: req.t("members:security.title"),
    section: "security",
    tokens: await listApiTokens(ctx.db, me(req).id),
    newToken: extra.newToken,
    errors: extra.errors,
  });
}

export function memberRoutes(router: express.Router, ctx: AppContext): void {
  const on = handlers(ctx);

  router.get("/me", requireUser, on(profilePage));
  displayRoutes(router, ctx);
  avatarRoutes(router, ctx);
  publicProfileRoutes(router, ctx);
  router.post("/me", requireUser, on(saveProfile));

  router.get("/me/family", requireUser, on(familyPage));
  router.post("/me/family", requireUser, on(addFamilyMember));
  router.post("/me/family/:id/delete", requireUser, on(removeFamilyMember));
  router.get("/me/notifications", requireUser, on(notificationsForm));
  router.post("/me/notifications", requireUser, on(saveNotifications));

  router.get("/me/security", requireUser, on(securityPage));
  router.post("/me/password", requireUser, on(changeMyPassword));
  router.post("/me/tokens", requireUser, on(issueToken));
  router.post("/me/tokens/:id/revoke", requireUser, on(revokeToken));
  router.get("/me/delete", requireUser, on(deleteForm));
  router.post("/me/delete", requireUser, (req, res, next) => deleteMyAccount(ctx, req, res, next));
}

async function saveProfile(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validateProfile, req.body);
  if (!form.ok) return profilePage(ctx, req, res, req.body as object, form.errors);
  const result = await members.updateProfile(ctx.db, me(req), {
    displayName: form.value.displayName,
    username: form.value.username,
    homeSlvieId: form.value.homeSlvieId ?? null,
    language: form.value.language,
    discoverable: form.value.discoverable === "on",
  });
  if (!result.ok) {
    const field = result.error === "slvie_unknown" ? "homeSlvieId" : "username";
    return profilePage(ctx, req, res, req.body as object, [
      { field, key: `members:profile.errors.${result.error}` },
    ]);
  }
  res.clearCookie("lang");
  flash(req, "members:profile.saved");
  res.redirect(303, "/me");
}

async function addFamilyMember(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validateFamily, req.body);
  if (!form.ok) return familyPage(ctx, req, res, req.body as object, form.errors);
  const result = await members.addFamilyMember(ctx.db, me(req).id, form.value);
  if (!result.ok) {
    return familyPage(ctx, req, res, req.body as object, [
      {
        field: result.error === "birth_year" ? "birthYear" : "firstName",
        key: `members:family.errors.${result.error}`,
      },
    ]);
  }
  flash(req, "members:family.added", { name: result.value.firstName });
  res.redirect(303, "/me/family");
}

async function removeFamilyMember(ctx: AppContext, req: Req, res: Res) {
  if (!(await members.removeFamilyMember(ctx.db, me(req).id, String(req.params.id))))
    throw new HttpError(404, "errors.notFound");
  flash(req, "members:family.removed");
  res.redirect(303, "/me/family");
}

function notificationsForm(ctx: AppContext, req: Req, res: Res) {
  renderForm(res, "members/notifications", ctx.i18n, req, {
    title: req.t("members:notifications.title"),
    section: "notifications",
    values: me(req).notificationPrefs,
  });
}

async function saveNotifications(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validateNotifications, req.body);
  if (!form.ok) {
    return renderForm(res, "members/notifications", ctx.i18n, req, {
      title: req.t("members:notifications.title"),
      section: "notifications",
      values: req.body as object,
      errors: form.errors,
    });
  }
  await members.updateNotifications(ctx.db, me(req).id, {
    emailRegistrations: form.value.emailRegistrations === "on",
    emailReminders: form.value.emailReminders === "on",
    emailLastMinute: form.value.emailLastMinute === "on",
    emailForums: form.value.emailForums,
  });
  flash(req, "members:notifications.saved");
  res.redirect(303, "/me/notifications");
}

async function changeMyPassword(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validatePassword, req.body);
  if (!form.ok) return securityPage(ctx, req, res, { errors: form.errors });
  if (form.value.password !== form.value.confirm) {
    return securityPage(ctx, req, res, {
      errors: [{ field: "confirm", key: "accounts:reset.mismatch" }],
    });
  }
  const result = await ctx.transaction((tx) =>
    changePassword(tx.db, me(req).id, form.value.current, form.value.password),
  );
  if (!result.ok)
    return securityPage(ctx, req, res, {
      errors: [{ field: "current", key: "members:security.wrongPassword" }],
    });
  await ctx.sessions.revokeUser(me(req).id, req.sessionID);
  flash(req, "members:security.passwordChanged");
  res.redirect(303, "/me/security");
}

async function issueToken(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validateToken, req.body);
  if (!form.ok) return securityPage(ctx, req, res, { errors: form.errors });
  const issued = await issueApiToken(ctx.db, me(req).id, form.value.name);
  // Shown once, on this response only: it is never stored in clear.
  await securityPage(ctx, req, res, { newToken: issued.token });
}

async function revokeToken(ctx: AppContext, req: Req, res: Res) {
  if (!(await revokeApiToken(ctx.db, me(req).id, String(req.params.id))))
    throw new HttpError(404, "errors.notFound");
  flash(req, "members:security.tokenRevoked");
  res.redirect(303, "/me/security");
}

function deleteForm(ctx: AppContext, req: Req, res: Res) {
  renderForm(res, "members/delete", ctx.i18n, req, {
    title: req.t("members:delete.title"),
    section: "delete",
  });
}

async function deleteMyAccount(ctx: AppContext, req: Req, res: Res, next: express.NextFunction) {
  const password =
    typeof (req.body as { password?: unknown }).password === "string"
      ? (req.body as { password: string }).password
      : "";
  const user = me(req);
  const content = (req.body as { content?: unknown }).content === "remove" ? "remove" : "anonymise";
  const result = await ctx.transaction((tx) =>
    deleteAccount(tx, deletionDeps(ctx, req), user, { password, content }),
  );
  if (!result.ok) {
    return renderForm(res, "members/delete", ctx.i18n, req, {
      title: req.t("members:delete.title"),
      section: "delete",
      errors: [{ field: "password", key: `members:delete.errors.${result.error}` }],
    });
  }
  await ctx.sessions.revokeUser(user.id);
  req.logout((error) => {
    if (error) return next(error);
    req.session.regenerate(() => {
      flash(req, "members:delete.done");
      res.redirect(303, "/");
    });
  });
}
