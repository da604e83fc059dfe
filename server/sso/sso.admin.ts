// The administration page of single sign-on (ADR 0092): provider address, client id and secret,
// button label, scopes, member number claim, on or off. The secret is write-only: never shown,
// kept when the field is left empty. The environment's OIDC_* win; the page says so.
import type express from "express";
import type { AppContext } from "../context.ts";
import { requireRole } from "../http/auth.ts";
import type { FieldError } from "../http/errors.ts";
import { flash, parseForm, renderForm } from "../http/forms.ts";
import { handlers } from "../http/handlers.ts";
import { compileForm } from "../http/validate.ts";
import {
  DEFAULT_LABEL,
  DEFAULT_MEMBER_CLAIM,
  DEFAULT_SCOPES,
  readSsoSettings,
  saveSsoSettings,
} from "./sso.settings.ts";

interface SsoForm {
  enabled?: "on";
  issuer?: string;
  clientId?: string;
  clientSecret?: string;
  buttonLabel?: string;
  scopes?: string;
  memberClaim?: string;
}

const validateSso = compileForm<SsoForm>({
  type: "object",
  properties: {
    enabled: { type: "string", enum: ["on"] },
    issuer: { type: "string", maxLength: 500 },
    clientId: { type: "string", maxLength: 200 },
    clientSecret: { type: "string", maxLength: 500 },
    buttonLabel: { type: "string", maxLength: 60 },
    scopes: { type: "string", maxLength: 200, pattern: "^[\\x21\\x23-\\x5B\\x5D-\\x7E ]+$" },
    memberClaim: { type: "string", maxLength: 100, pattern: "^[A-Za-z0-9_.:-]+$" },
  },
});

/** https, or http on this machine only (as discovery accepts: tests, a local proxy). */
function issuerError(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "sso:admin.errors.issuer";
  }
  if (url.protocol === "https:") return undefined;
  const local = ["localhost", "127.0.0.1"].includes(url.hostname);
  return url.protocol === "http:" && local ? undefined : "sso:admin.errors.issuer";
}

type Req = express.Request;
type Res = express.Response;

async function page(ctx: AppContext, req: Req, res: Res, values?: object, errors?: FieldError[]) {
  const stored = await readSsoSettings(ctx.db);
  const env = ctx.config.oidc;
  renderForm(res, "sso/admin", ctx.i18n, req, {
    title: req.t("sso:admin.title"),
    section: "sso",
    secretHint: `sso:admin.secretHint.${stored.hasSecret ? "stored" : "none"}`,
    callback: new URL("/login/sso/callback", ctx.config.publicUrl).href,
    env: env ? { issuer: env.issuer.href, name: env.name } : undefined,
    defaults: { label: DEFAULT_LABEL, scopes: DEFAULT_SCOPES, memberClaim: DEFAULT_MEMBER_CLAIM },
    values: values ?? { ...stored, enabled: stored.enabled ? "on" : undefined },
    errors,
  });
}

async function save(ctx: AppContext, req: Req, res: Res) {
  const form = parseForm(validateSso, req.body);
  // The secret typed is never sent back to the page.
  const { clientSecret: _typed, ...shown } = req.body as Record<string, unknown>;
  if (!form.ok) return page(ctx, req, res, shown, form.errors);
  const value = form.value;
  const enabled = value.enabled === "on";
  const stored = await readSsoSettings(ctx.db);
  const errors: FieldError[] = [];
  if (value.issuer) {
    const error = issuerError(value.issuer);
    if (error) errors.push({ field: "issuer", key: error });
  }
  // Switched on, the three are needed; off, a draft may be incomplete.
  if (enabled && !value.issuer) errors.push({ field: "issuer", key: "sso:admin.errors.required" });
  if (enabled && !value.clientId)
    errors.push({ field: "clientId", key: "sso:admin.errors.required" });
  if (enabled && !value.clientSecret && !stored.hasSecret)
    errors.push({ field: "clientSecret", key: "sso:admin.errors.required" });
  if (errors.length) return page(ctx, req, res, shown, errors);
  await saveSsoSettings(ctx.db, {
    enabled,
    issuer: value.issuer ?? "",
    clientId: value.clientId ?? "",
    clientSecret: value.clientSecret,
    buttonLabel: value.buttonLabel?.trim() ?? "",
    scopes: value.scopes?.trim() ?? "",
    memberClaim: value.memberClaim ?? "",
  });
  flash(req, "sso:admin.saved");
  res.redirect(303, "/admin/sso");
}

export function ssoAdminRoutes(router: express.Router, ctx: AppContext): void {
  const admin = requireRole("admin");
  const on = handlers(ctx);
  router.get("/admin/sso", admin, on(page));
  router.post("/admin/sso", admin, on(save));
}
