import type express from "express";
import type { AppContext } from "../context.ts";
import { RELATIONS } from "../accounts/accounts.tables.ts";
import { changePassword, issueApiToken } from "../accounts/accounts.service.ts";
import { listApiTokens, revokeApiToken } from "../accounts/api-tokens.repo.ts";
import { requireUser } from "../http/auth.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { HttpError } from "../http/errors.ts";
import { compileForm } from "../http/validate.ts";
import type { FieldError } from "../http/errors.ts";
import { listSlvies } from "../instance/instance.repo.ts";
import * as members from "./members.service.ts";
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

export function memberRoutes(router: express.Router, ctx: AppContext): void {
  const me = (req: express.Request) => req.user!;

  const profilePage = async (
    req: express.Request,
    res: express.Response,
    values?: object,
    errors?: FieldError[],
  ) => {
    const user = me(req);
    renderForm(res, "members/profile", ctx.i18n, req, {
      title: req.t("members:profile.title"),
      section: "profile",
      slvies: await listSlvies(ctx.db),
      values: values ?? {
        displayName: user.displayName,
        username: user.username,
        homeSlvieId: user.homeSlvieId,
        language: user.language,
        discoverable: user.discoverable,
      },
      errors,
    });
  };

  router.get("/me", requireUser, (req, res) => profilePage(req, res));

  router.post("/me", requireUser, async (req, res) => {
    const form = parseForm(validateProfile, req.body);
    if (!form.ok) return profilePage(req, res, req.body as object, form.errors);
    const result = await members.updateProfile(ctx.db, me(req), {
      displayName: form.value.displayName,
      username: form.value.username,
      homeSlvieId: form.value.homeSlvieId ?? null,
      language: form.value.language,
      discoverable: form.value.discoverable === "on",
    });
    if (!result.ok) {
      const field = result.error === "slvie_unknown" ? "homeSlvieId" : "username";
      return profilePage(req, res, req.body as object, [
        { field, key: `members:profile.errors.${result.error}` },
      ]);
    }
    res.clearCookie("lang");
    flash(req, "members:profile.saved");
    res.redirect(303, "/me");
  });

  const familyPage = async (
    req: express.Request,
    res: express.Response,
    values?: object,
    errors?: FieldError[],
  ) => {
    renderForm(res, "members/family", ctx.i18n, req, {
      title: req.t("members:family.title"),
      section: "family",
      family: await members.listFamily(ctx.db, me(req).id),
      relations: RELATIONS,
      values,
      errors,
    });
  };

  router.get("/me/family", requireUser, (req, res) => familyPage(req, res));

  router.post("/me/family", requireUser, async (req, res) => {
    const form = parseForm(validateFamily, req.body);
    if (!form.ok) return familyPage(req, res, req.body as object, form.errors);
    const result = await members.addFamilyMember(ctx.db, me(req).id, form.value);
    if (!result.ok) {
      return familyPage(req, res, req.body as object, [
        {
          field: result.error === "birth_year" ? "birthYear" : "firstName",
          key: `members:family.errors.${result.error}`,
        },
      ]);
    }
    flash(req, "members:family.added", { name: result.value.firstName });
    res.redirect(303, "/me/family");
  });

  router.post("/me/family/:id/delete", requireUser, async (req, res) => {
    if (!(await members.removeFamilyMember(ctx.db, me(req).id, String(req.params.id))))
      throw new HttpError(404, "errors.notFound");
    flash(req, "members:family.removed");
    res.redirect(303, "/me/family");
  });

  router.get("/me/notifications", requireUser, (req, res) => {
    renderForm(res, "members/notifications", ctx.i18n, req, {
      title: req.t("members:notifications.title"),
      section: "notifications",
      values: me(req).notificationPrefs,
    });
  });

  router.post("/me/notifications", requireUser, async (req, res) => {
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
  });

  const securityPage = async (
    req: express.Request,
    res: express.Response,
    extra: { errors?: FieldError[]; newToken?: string } = {},
  ) => {
    renderForm(res, "members/security", ctx.i18n, req, {
      title: req.t("members:security.title"),
      section: "security",
      tokens: await listApiTokens(ctx.db, me(req).id),
      newToken: extra.newToken,
      errors: extra.errors,
    });
  };

  router.get("/me/security", requireUser, (req, res) => securityPage(req, res));

  router.post("/me/password", requireUser, async (req, res) => {
    const form = parseForm(validatePassword, req.body);
    if (!form.ok) return securityPage(req, res, { errors: form.errors });
    if (form.value.password !== form.value.confirm) {
      return securityPage(req, res, {
        errors: [{ field: "confirm", key: "accounts:reset.mismatch" }],
      });
    }
    const result = await changePassword(
      ctx.db,
      me(req).id,
      form.value.current,
      form.value.password,
    );
    if (!result.ok)
      return securityPage(req, res, {
        errors: [{ field: "current", key: "members:security.wrongPassword" }],
      });
    flash(req, "members:security.passwordChanged");
    res.redirect(303, "/me/security");
  });

  router.post("/me/tokens", requireUser, async (req, res) => {
    const form = parseForm(validateToken, req.body);
    if (!form.ok) return securityPage(req, res, { errors: form.errors });
    const issued = await issueApiToken(ctx.db, me(req).id, form.value.name);
    // Shown once, on this response only: it is never stored in clear.
    await securityPage(req, res, { newToken: issued.token });
  });

  router.post("/me/tokens/:id/revoke", requireUser, async (req, res) => {
    if (!(await revokeApiToken(ctx.db, me(req).id, String(req.params.id))))
      throw new HttpError(404, "errors.notFound");
    flash(req, "members:security.tokenRevoked");
    res.redirect(303, "/me/security");
  });

  router.get("/me/delete", requireUser, (req, res) => {
    renderForm(res, "members/delete", ctx.i18n, req, {
      title: req.t("members:delete.title"),
      section: "delete",
    });
  });

  router.post("/me/delete", requireUser, async (req, res, next) => {
    const password =
      typeof (req.body as { password?: unknown }).password === "string"
        ? (req.body as { password: string }).password
        : "";
    const user = me(req);
    const content =
      (req.body as { content?: unknown }).content === "remove" ? "remove" : "anonymise";
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
  });
}
