import type express from "express";
import multer from "multer";
import type { AppContext } from "../context.ts";
import { ROLES, type Role } from "../accounts/accounts.tables.ts";
import { countAdmins, findUserById, setRole } from "../accounts/accounts.repo.ts";
import { createInvitation } from "../accounts/accounts.service.ts";
import { listInvitations } from "../accounts/invitations.repo.ts";
import { requireRole } from "../http/auth.ts";
import { uploadRoute } from "../http/csrf.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { HttpError, type FieldError } from "../http/errors.ts";
import { handlers } from "../http/handlers.ts";
import { compileForm } from "../http/validate.ts";
import { listSlvies } from "../instance/instance.repo.ts";
import { sniffImageType } from "../http/images.ts";
import { saveSettings } from "../instance/instance.service.ts";
import type { RegistrationMode } from "../instance/instance.tables.ts";
import * as repo from "./admin.repo.ts";
import { notify } from "../notifications/notifications.service.ts";
import { dashboardStatus } from "../ops/dashboard.ts";

const LOGO_TYPES = new Set<string>(["image/png", "image/jpeg", "image/webp"]);
const upload = multer({
  storage: multer.memoryStorage(),
  limits: { fileSize: 512 * 1024, files: 1 },
});

const logoBody = uploadRoute("/admin/settings", upload.single("logo"));

interface SettingsForm {
  name: string;
  description?: string;
  territory?: string;
  contactEmail?: string;
  accentColor: string;
  registrationMode: RegistrationMode;
  removeLogo?: "on";
}

const validateSettings = compileForm<SettingsForm>({
  type: "object",
  required: ["name", "accentColor", "registrationMode"],
  properties: {
    name: { type: "string", minLength: 1, maxLength: 80 },
    description: { type: "string", maxLength: 500 },
    territory: { type: "string", maxLength: 120 },
    contactEmail: { type: "string", format: "email", maxLength: 254 },
    accentColor: { type: "string", pattern: "^#[0-9a-fA-F]{6}$" },
    registrationMode: { type: "string", enum: ["open", "invitation", "closed"] },
    removeLogo: { type: "string", enum: ["on"] },
  },
});
const validateInvitation = compileForm<{ email?: string }>({
  type: "object",
  properties: { email: { type: "string", format: "email", maxLength: 254 } },
});
const validateSlvie = compileForm<{ name: string }>({
  type: "object",
  required: ["name"],
  properties: { name: { type: "string", minLength: 1, maxLength: 80 } },
});
const validateRole = compileForm<{ role: Role }>({
  type: "object",
  required: ["role"],
  properties: { role: { type: "string", enum: [...ROLES] } },
});

type Req = express.Request;
type Res = express.Response;

async function settingsPage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  values?: object,
  errors?: FieldError[],
) {
  const settings = await ctx.settings.get();
  renderForm(res, "admin/settings", ctx.i18n, req, {
    title: req.t("admin:settings.title"),
    section: "settings",
    hasLogo: settings.hasLogo,
    values: values ?? {
      name: settings.name,
      description: settings.description,
      territory: settings.territory,
      contactEmail: settings.contactEmail,
      accentColor: settings.accentColor,
      registrationMode: settings.registrationMode,
    },
    errors,
  });
}

async function invitationsPage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  extra: { link?: string; errors?: FieldError[] } = {},
) {
  renderForm(res, "admin/invitations", ctx.i18n, req, {
    title: req.t("admin:invitations.title"),
    section: "invitations",
    invitations: await listInvitations(ctx.db),
    link: extra.link,
    mode: (await ctx.settings.get()).registrationMode,
    errors: extra.errors,
  });
}

async function slviesPage(
  ctx: AppContext,
  req: express.Request,
  res: express.Response,
  values?: object,
  errors?: FieldError[],
) {
  renderForm(res, "admin/slvies", ctx.i18n, req, {
    title: req.t("admin:slvies.title"),
    section: "slvies",
    slvies: await listSlvies(ctx.db),
    values,
    errors,
  });
}

export function adminRoutes(router: express.Router, ctx: AppContext): void {
  const admin = requireRole("admin");
  const on = handlers(ctx);

  router.get("/admin", admin, on(dashboard));

  router.get("/admin/settings", admin, on(settingsPage));
  router.post("/admin/settings", admin, ...logoBody, on(saveSettingsForm));
  router.get("/admin/users", admin, on(users));
  router.post("/admin/users/:id/role", admin, on(changeRole));

  router.get("/admin/invitations", admin, on(invitationsPage));
  router.post("/admin/invitations", admin, on(inviteByEmail));

  router.get("/admin/slvies", admin, on(slviesPage));
  router.post("/admin/slvies", admin, on(addSlvie));
  router.post("/admin/slvies/:id/delete", admin, on(removeSlvie));
  router.get("/admin/jobs", admin, on(jobs));
  router.post("/admin/jobs/:id/retry", admin, on(retryJob));
}

async function dashboard(ctx: AppContext, req: Req, res: Res) {
  const stats = await ctx.queue.stats().catch(() => undefined);
  const users = await repo.listUsers(ctx.db, { page: 1 });
  res.render("admin/dashboard", {
    title: req.t("admin:dashboard.title"),
    section: "dashboard",
    stats,
    members: users.total,
    queueKind: ctx.queue.kind,
    ops: await dashboardStatus(ctx),
  });
}

async function saveSettingsForm(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validateSettings, req.body);
  if (!form.ok) return settingsPage(ctx, req, res, req.body as object, form.errors);
  const file = req.file;
  const logoType = file ? sniffImageType(file.buffer) : undefined;
  if (file && (!logoType || !LOGO_TYPES.has(logoType))) {
    return settingsPage(ctx, req, res, req.body as object, [
      { field: "logo", key: "admin:settings.errors.logoType" },
    ]);
  }
  const result = await saveSettings(ctx.db, ctx.settings, {
    name: form.value.name,
    description: form.value.description ?? "",
    territory: form.value.territory ?? "",
    contactEmail: form.value.contactEmail ?? "",
    accentColor: form.value.accentColor,
    registrationMode: form.value.registrationMode,
    logo:
      file && logoType
        ? { data: file.buffer, type: logoType }
        : form.value.removeLogo === "on"
          ? null
          : undefined,
  });
  if (!result.ok) {
    return settingsPage(ctx, req, res, req.body as object, [
      { field: "accentColor", key: `admin:settings.errors.${result.error}` },
    ]);
  }
  flash(req, "admin:settings.saved");
  res.redirect(303, "/admin/settings");
}

async function users(ctx: AppContext, req: Req, res: Res) {
  const q = typeof req.query.q === "string" ? req.query.q.slice(0, 100) : undefined;
  const role = ROLES.includes(req.query.role as Role) ? (req.query.role as Role) : undefined;
  const page = Math.max(1, Number.parseInt(String(req.query.page ?? "1"), 10) || 1);
  const { rows, total } = await repo.listUsers(ctx.db, { q, role, page });
  const pages = Math.max(1, Math.ceil(total / repo.PAGE_SIZE));
  res.render("admin/users", {
    title: req.t("admin:users.title"),
    section: "users",
    users: rows,
    roles: ROLES,
    q,
    role,
    total,
    page,
    prev: page > 1 ? page - 1 : undefined,
    next: page < pages ? page + 1 : undefined,
  });
}

async function changeRole(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validateRole, req.body);
  const target = await findUserById(ctx.db, String(req.params.id));
  if (!target) throw new HttpError(404, "errors.notFound");
  if (!form.ok) throw new HttpError(400, "errors.badRequest");
  if (target.role === "admin" && form.value.role !== "admin" && (await countAdmins(ctx.db)) <= 1) {
    throw new HttpError(409, "admin:users.lastAdmin");
  }
  const role = form.value.role;
  await ctx.transaction(async (tx) => {
    await setRole(tx.db, target.id, role);
    await notify(tx, ctx.config.publicUrl, {
      userId: target.id,
      kind: "admin:roleChanged",
      data: { context: role },
      link: "/me",
    });
  });
  flash(req, "admin:users.roleChanged", {
    name: target.displayName,
    role: req.t(`common:roles.${form.value.role}`),
  });
  res.redirect(303, "/admin/users");
}

async function inviteByEmail(ctx: AppContext, req: Req, res: Res) {
  const deps = { publicUrl: ctx.config.publicUrl };
  const form = parseForm(validateInvitation, req.body);
  if (!form.ok) return invitationsPage(ctx, req, res, { errors: form.errors });
  const invitation = await createInvitation(ctx.db, deps, req.user!.id, form.value.email ?? null);
  if (form.value.email) {
    await ctx.queue.enqueue("mail.send", {
      to: form.value.email,
      template: "invitation",
      lang: req.lang,
      data: { link: invitation.link, from: req.user!.displayName },
    });
  }
  await invitationsPage(ctx, req, res, { link: invitation.link });
}

async function addSlvie(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validateSlvie, req.body);
  if (!form.ok) return slviesPage(ctx, req, res, req.body as object, form.errors);
  if (!(await repo.addSlvie(ctx.db, form.value.name.trim()))) {
    return slviesPage(ctx, req, res, req.body as object, [
      { field: "name", key: "admin:slvies.exists" },
    ]);
  }
  flash(req, "admin:slvies.added", { name: form.value.name });
  res.redirect(303, "/admin/slvies");
}

async function removeSlvie(ctx: AppContext, req: Req, res: Res) {
  await repo.removeSlvie(ctx.db, String(req.params.id));
  flash(req, "admin:slvies.removed");
  res.redirect(303, "/admin/slvies");
}

async function jobs(ctx: AppContext, req: Req, res: Res) {
  const stats = await ctx.queue.stats().catch(() => undefined);
  const failed = ctx.queue.kind === "database" ? await repo.failedJobs(ctx.db) : [];
  res.render("admin/jobs", {
    title: req.t("admin:jobs.title"),
    section: "jobs",
    stats,
    failed,
    queueKind: ctx.queue.kind,
  });
}

async function retryJob(ctx: AppContext, req: Req, res: Res) {
  const id = Number.parseInt(String(req.params.id), 10);
  if (!Number.isSafeInteger(id) || !(await repo.retryJob(ctx.db, id)))
    throw new HttpError(404, "errors.notFound");
  flash(req, "admin:jobs.retried");
  res.redirect(303, "/admin/jobs");
}
